using System.Buffers;
using Microsoft.Extensions.Primitives;

namespace MirrorGate.Pipeline;

/// <summary>
/// Headers that describe one connection and are never copied to another hop (RFC 9110 §7.6.1):
/// the fixed set YARP 2.3.0 never forwards (RequestUtilities), so the upstream and the mirror
/// leave out the same ones, and the headers the client named in its <c>Connection</c> header.
/// </summary>
internal static class HopByHopHeaders
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Proxy-Authenticate", "Proxy-Authentication-Info", "Proxy-Authorization", "Proxy-Features",
        "Proxy-Instruction", "Security-Scheme", "ALPN", "Close", "HTTP2-Settings", "Upgrade-Insecure-Requests",
        "Alt-Svc",
    };

    // RFC 9110 §5.6.2 tchar: a Connection option that is not a token names no header.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    public static bool Contains(string name) => Names.Contains(name);

    /// <summary>
    /// The header names a <c>Connection</c> header lists beyond the fixed set (its options that
    /// are tokens), or null when there are none: the usual <c>keep-alive</c> or <c>close</c>
    /// costs no split and no allocation.
    /// </summary>
    public static List<string>? ListedIn(StringValues connection)
    {
        List<string>? listed = null;
        foreach (var value in connection)
        {
            if (value is null || Names.Contains(value.Trim()))
            {
                continue;
            }

            foreach (var option in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Names.Contains(option) && option.AsSpan().IndexOfAnyExcept(TokenChars) < 0)
                {
                    (listed ??= []).Add(option);
                }
            }
        }

        return listed;
    }
}

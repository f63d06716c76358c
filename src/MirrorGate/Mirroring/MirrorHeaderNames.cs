using System.Buffers;
using MirrorGate.Pipeline;

namespace MirrorGate.Mirroring;

/// <summary>
/// Which header names a copy's config may name: a header name must be an RFC 9110 token, and
/// the headers the mirror connection writes itself (Host, Content-Length, Transfer-Encoding) or
/// that only hold for one hop may be neither set nor removed by config.
/// </summary>
internal static class MirrorHeaderNames
{
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly HashSet<string> ConnectionOwned = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Expect",
    };

    // Headers a marker may not be named after: a request carries them for reasons of its own, so
    // naming the marker after one would drop or refuse ordinary traffic.
    private static readonly HashSet<string> WellKnown = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Content-Type", "Content-Encoding", "Accept", "Accept-Encoding",
        "Accept-Language", "Authorization", "Cookie", "Set-Cookie", "User-Agent", "Referer", "Origin", "Expect",
        "Date", "Via", "Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port",
        "X-Forwarded-Prefix", "X-Real-IP", "X-Request-Id", "X-API-KEY", "Cache-Control", "Pragma", "Range",
        "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "If-Range", "Traceparent", "Tracestate",
    };

    public static bool IsToken(string name) => name.Length > 0 && name.AsSpan().IndexOfAnyExcept(TokenChars) < 0;

    /// <summary>Hop-by-hop, or written by the mirror connection itself: config may neither set nor remove it.</summary>
    public static bool IsConnectionOwned(string name) => HopByHopHeaders.Contains(name) || ConnectionOwned.Contains(name);

    /// <summary>Null when <paramref name="name"/> may name the marker, else why not.</summary>
    public static string? MarkerProblem(string name)
    {
        if (!IsToken(name))
        {
            return "not a valid header name (RFC 9110 token)";
        }

        if (HopByHopHeaders.Contains(name) || name.StartsWith(':'))
        {
            return "a hop-by-hop header cannot be the marker (it does not reach the next hop)";
        }

        return WellKnown.Contains(name) ? "a well-known header cannot be the marker (ordinary requests carry it)" : null;
    }
}

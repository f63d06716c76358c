namespace MirrorGate.Pipeline;

/// <summary>Headers that describe one connection and are never copied to another hop (RFC 9110 7.6.1).</summary>
internal static class HopByHopHeaders
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Proxy-Authenticate", "Proxy-Authorization",
    };

    public static bool Contains(string name) => Names.Contains(name);
}

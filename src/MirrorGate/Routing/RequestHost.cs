namespace MirrorGate.Routing;

/// <summary>The request's host as APISIX's <c>$host</c> sees it for routing: the Host header without its port.</summary>
internal static class RequestHost
{
    /// <summary>
    /// Slices the port off without allocating; an IPv6 literal keeps its brackets (<c>[::1]:8080</c> → <c>[::1]</c>).
    /// Case is left alone: the host tables compare case-insensitively.
    /// </summary>
    public static ReadOnlySpan<char> WithoutPort(string? hostHeader)
    {
        if (string.IsNullOrEmpty(hostHeader))
        {
            return [];
        }

        var span = hostHeader.AsSpan();
        if (span[0] == '[')
        {
            var close = span.IndexOf(']');
            return close < 0 ? span : span[..(close + 1)];
        }

        var colon = span.LastIndexOf(':');
        return colon < 0 ? span : span[..colon];
    }
}

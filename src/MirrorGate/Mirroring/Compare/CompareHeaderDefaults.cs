namespace MirrorGate.Mirroring.Compare;

/// <summary>The header lists every compare block starts from; a block's own lists are added to them.</summary>
internal static class CompareHeaderDefaults
{
    /// <summary>
    /// Headers never compared (case-insensitive): those that differ between any two answers
    /// (dates, server names, caching validators, request and trace ids), those that describe a
    /// connection or the framing rather than the answer (hop-by-hop, lengths: the bodies are
    /// compared instead), and those a mirror copy or a proxy adds (the node's mirror marker,
    /// <c>X-Forwarded-*</c>), which have no place in answers but are ignored if a service echoes them.
    /// </summary>
    public static readonly IReadOnlyList<string> Ignored =
    [
        "Date", "Server", "Connection", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Via", "Age",
        "Expires", "Last-Modified", "ETag", "Alt-Svc", "X-Request-Id", "Traceparent", "Tracestate",
        "Proxy-Connection", "TE", "Trailer", "Upgrade", "Proxy-Authenticate", "Proxy-Authentication-Info",
        MirrorMarker.DefaultHeaderName,
    ];

    /// <summary>Every header whose name starts with this is ignored too.</summary>
    public const string IgnoredPrefix = "X-Forwarded-";

    /// <summary>Headers whose values are shown as <c>"[redacted]"</c> in mismatch records (case-insensitive).</summary>
    public static readonly IReadOnlyList<string> Redacted =
    [
        "Authorization", "Cookie", "Set-Cookie", "Proxy-Authorization", "X-API-KEY",
    ];
}

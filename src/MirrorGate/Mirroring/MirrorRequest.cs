namespace MirrorGate.Mirroring;

/// <summary>
/// Everything needed to send one mirror copy, frozen while the primary request was alive.
/// Holds no reference to the <c>HttpContext</c>, so it can outlive the request safely.
/// </summary>
internal sealed class MirrorRequest
{
    public required HttpMethod Method { get; init; }

    /// <summary>Absolute URI at the mirror: scheme, host and port from the plugin's <c>host</c>, path and query per <c>path</c>/<c>path_concat_mode</c>.</summary>
    public required Uri Target { get; init; }

    /// <summary>HTTP/1.1 for http(s) mirrors, HTTP/2 for grpc(s).</summary>
    public required Version Version { get; init; }

    /// <summary>The Host header the upstream got (APISIX's <c>upstream_host</c>).</summary>
    public required string Host { get; init; }

    /// <summary>Request headers as the upstream gets them, minus Host and hop-by-hop headers.</summary>
    public required KeyValuePair<string, string[]>[] Headers { get; init; }

    /// <summary>The body copy, or null when the request had none. Released by the dispatcher.</summary>
    public MirrorBodyBuffer? Body { get; set; }

    public required MirrorTargetMetrics Metrics { get; init; }

    /// <summary>The mirror host's circuit breaker, told whether connecting worked.</summary>
    public MirrorCircuit? Circuit { get; init; }
}

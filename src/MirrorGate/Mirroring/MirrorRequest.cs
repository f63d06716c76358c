using MirrorGate.Mirroring.Compare;
using MirrorGate.Pipeline;

namespace MirrorGate.Mirroring;

/// <summary>
/// Everything needed to send one mirror copy, frozen while the primary request was alive.
/// Holds no reference to the <c>HttpContext</c>, so it can outlive the request safely.
/// </summary>
internal sealed class MirrorRequest
{
    private Uri? _target;

    public required HttpMethod Method { get; init; }

    /// <summary>Scheme, host and port the copy goes to (the plugin's <c>host</c>, parsed when the route was saved).</summary>
    public required MirrorOrigin Origin { get; init; }

    /// <summary>Path and query at the mirror, exactly as built from <c>path</c>/<c>path_concat_mode</c> (percent-encoding kept).</summary>
    public required string PathAndQuery { get; init; }

    /// <summary>The absolute URI at the mirror; built only when a sender needs one (the HTTP/1.1 writer does not).</summary>
    public Uri Target => _target ??= RawUri.Create(Origin.BaseUri + PathAndQuery);

    /// <summary>HTTP/1.1 for http(s) mirrors, HTTP/2 for grpc(s).</summary>
    public required Version Version { get; init; }

    /// <summary>The Host header the upstream got (APISIX's <c>upstream_host</c>).</summary>
    public required string Host { get; init; }

    /// <summary>Request headers as the upstream gets them, minus Host and hop-by-hop headers.</summary>
    public required KeyValuePair<string, string[]>[] Headers { get; init; }

    /// <summary>
    /// The body copy, or null when the request had none; set once, when the tee completes it.
    /// Its lease is held by the <see cref="MirrorCopy"/> made of this request and let go when the copy settles.
    /// </summary>
    public MirrorBodyBuffer? Body { get; set; }

    public required MirrorTargetMetrics Metrics { get; init; }

    /// <summary>The target's own timeouts, or null for the node's (<c>plugin_attr.proxy-mirror.timeout</c>).</summary>
    public MirrorTimeouts? Timeouts { get; init; }

    /// <summary>The mirror host's circuit breaker, told whether connecting worked.</summary>
    public MirrorCircuit? Circuit { get; init; }

    /// <summary>
    /// Set, before the copy is queued, when its answer is compared: told the answer (or its
    /// absence) when the copy settles.
    /// </summary>
    public IMirrorAnswerSink? AnswerSink { get; set; }

    /// <summary>
    /// The same request, not yet given a body, going to <paramref name="origin"/> and counted under
    /// <paramref name="metrics"/>, its answer told to <paramref name="answerSink"/>: the copy a
    /// compared target's noise host gets.
    /// </summary>
    public MirrorRequest Redirect(MirrorOrigin origin, MirrorTargetMetrics metrics, MirrorCircuit? circuit, IMirrorAnswerSink? answerSink) => new()
    {
        Method = Method,
        Origin = origin,
        PathAndQuery = PathAndQuery,
        Version = Version,
        Host = Host,
        Headers = Headers,
        Metrics = metrics,
        Circuit = circuit,
        Timeouts = Timeouts,
        AnswerSink = answerSink,
    };
}

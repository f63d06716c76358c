using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Mirroring.Http1;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// One target of a route's proxy-mirror: decides whether a request is copied to it and makes the
/// copy. Filters come first (methods, vars, sampling): a request that does not pass them is not
/// counted and allocates nothing. A sampled request then ends as exactly one of sent, failed or
/// dropped: a copy (it carries a mirror marker), a CONNECT, an open circuit or kill switch, a
/// full queue (the node's or the target's own budget), an upgrade or a body over the cap is
/// dropped here; a copy whose head could not be written exactly fails here.
/// </summary>
internal sealed class MirrorTargetHandler
{
    private static readonly Version Http11 = new(1, 1);
    private static readonly Version Http2 = new(2, 0);

    private readonly MirrorRuntime _runtime;
    private readonly MirrorSampler _sampler;
    private readonly Func<double> _random;
    private readonly MirrorCircuit _circuit;

    public MirrorTargetHandler(MirrorTargetConfig config, MirrorRuntime runtime, MirrorTargetMetrics metrics, MirrorTargetComparison? comparison = null)
    {
        Config = config;
        Metrics = metrics;
        Comparison = comparison;
        _runtime = runtime;
        _sampler = config.CreateSampler();
        _random = runtime.NextSample; // one delegate for the route's life, not one per request
        _circuit = runtime.CircuitFor(config.BaseUri);
    }

    public MirrorTargetConfig Config { get; }

    public MirrorTargetMetrics Metrics { get; }

    /// <summary>The circuit of the target's mirror host (shared by every route mirroring there).</summary>
    public MirrorCircuit Circuit => _circuit;

    /// <summary>The target's compiled <c>compare</c> block, or null when its answers are ignored.</summary>
    public MirrorTargetComparison? Comparison { get; }

    /// <summary>
    /// The copy of this request for this target, or null when the target takes none (filtered,
    /// sampled out, dropped or failed: already counted). Its body, if any, is still to come.
    /// </summary>
    /// <param name="comparison">For a compared target, the comparison the copy's answer goes to (the primary's answer is still to be given).</param>
    /// <param name="noise">For a compared target with a noise host, the noise host's copy (made with the same body to come).</param>
    public MirrorRequest? Admit(ProxyContext context, out PendingComparison? comparison, out MirrorRequest? noise)
    {
        comparison = null;
        noise = null;
        var http = context.HttpContext;
        var request = http.Request;
        if (Config.Methods is { } methods && Array.IndexOf(methods, request.Method) < 0)
        {
            return null;
        }

        if (Config.Vars is { } vars && !vars.Evaluate(http))
        {
            return null;
        }

        if (!_sampler.Samples(http, _random))
        {
            return null;
        }

        Metrics.OnSampled();
        if (_runtime.Marker.IsOn(request.Headers))
        {
            // A copy (of this node or another) mirrored again could loop: a mirror pointed back
            // at a gateway would multiply every request without end.
            Metrics.OnRefused(MirrorReasons.Loop);
            return null;
        }

        if (HttpMethods.IsConnect(request.Method))
        {
            // CONNECT asks for a tunnel to its authority; a copy has no target to carry it.
            Metrics.OnRefused(MirrorReasons.ConnectMethod);
            return null;
        }

        if (!_circuit.AllowsRequest() || (Metrics.KillSwitch is { } killSwitch && !killSwitch.AllowsCopy()))
        {
            Metrics.OnRefused(MirrorReasons.CircuitOpen);
            return null;
        }

        if (_runtime.Dispatcher.IsFull)
        {
            // A mirror that cannot keep up: drop now, before freezing headers or buffering a body.
            Metrics.OnRefused(MirrorReasons.QueueFull);
            return null;
        }

        if (IsUpgrade(http))
        {
            Metrics.OnRefused(MirrorReasons.Upgrade);
            return null;
        }

        // A declared length over the cap means a body; one without a declared length is capped by the tee.
        if (request.ContentLength > _runtime.Settings.MaxBodySize)
        {
            Metrics.OnRefused(MirrorReasons.BodyTooLarge);
            return null;
        }

        if (Metrics.Load is { } load && !load.TryTake())
        {
            // This target's own budget is used up: a slow target does not take the node's queue from the others.
            Metrics.OnRefused(MirrorReasons.QueueFull);
            return null;
        }

        // From here the copy holds the target's budget until it settles.
        var mirror = Copy(context);

        // Exact or not sent: a field that would split the head is never queued (nor its body buffered).
        if (Http1RequestHead.Unwritable(mirror) is { } problem)
        {
            _runtime.Dispatcher.Fail(mirror, MirrorReasons.Error, $"the copy was not sent: {problem}");
            return null;
        }

        if (Comparison is { } compare)
        {
            // Only a copy that will be queued gets a comparison: each one started is settled, and counted.
            comparison = compare.Begin(mirror);
            if (comparison is not null)
            {
                mirror.AnswerSink = comparison.Candidate;
                noise = compare.HasNoise ? compare.NoiseCopy(mirror, comparison) : null;
            }
        }

        return mirror;
    }

    /// <summary>The copy of the request for this target as it stands now: method, target, Host, headers; no body yet.</summary>
    internal MirrorRequest Copy(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        return new MirrorRequest
        {
            Method = HttpMethod.Parse(request.Method),
            Origin = Config.Origin,
            PathAndQuery = BuildPathAndQuery(context),
            Version = Config.IsGrpc ? Http2 : Http11,
            Host = context.UpstreamHost ?? request.Host.Value ?? "",
            Headers = MirrorHeaders.Freeze(context, Config.IsGrpc, _runtime.Marker, Config.Headers),
            Metrics = Metrics,
            Circuit = _circuit,
            Timeouts = Config.Timeouts,
        };
    }

    // Kept exactly as built (percent-encoding, dot segments): no Uri is made on the request path.
    private string BuildPathAndQuery(ProxyContext context)
    {
        var http = context.HttpContext;

        // OPTIONS * asks about the server, not a resource: the mirror is asked the same, whatever path says.
        if (http.Features.Get<IHttpRequestFeature>()?.RawTarget == "*")
        {
            return "*";
        }

        // A gRPC mirror gets the path the request has after the access phase (grpc-web's method path).
        if (Config.IsGrpc && context.RewrittenUri is { } rewritten)
        {
            return rewritten;
        }

        return Config.BuildPathAndQuery(RawPath(http), http.Request.QueryString.Value ?? "", context.UpstreamUriAtMirror);
    }

    /// <summary>The request path as the client wrote it (percent-encoding kept), without the query.</summary>
    private static string RawPath(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw) && raw[0] == '/')
        {
            var q = raw.IndexOf('?');
            return q < 0 ? raw : raw[..q];
        }

        return (http.Request.PathBase + http.Request.Path).ToUriComponent();
    }

    private static bool IsUpgrade(HttpContext http)
        => http.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
           || http.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Http1;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// proxy-mirror compiled for one route. Runs in before_proxy, once the node is picked and the
/// upstream Host is known: samples, freezes the mirror request, and either queues it (no body) or
/// installs the body tee that queues it when the body has streamed through. A request sampled
/// out costs one random draw and allocates nothing. A sampled request ends as exactly one of
/// sent, failed or dropped: one that is itself a copy (it carries the mirror marker) or a
/// CONNECT is dropped here, one whose copy could not be written exactly fails here.
/// </summary>
internal sealed class ProxyMirrorHandler(ProxyMirrorConfig config, MirrorRuntime runtime, MirrorTargetMetrics metrics) : PluginHandler
{
    private readonly MirrorCircuit _circuit = runtime.CircuitFor(config.BaseUri);

    private static readonly Version Http11 = new(1, 1);
    private static readonly Version Http2 = new(2, 0);

    public override bool HasBeforeProxy => true;

    public ProxyMirrorConfig Config => config;

    public override void BeforeProxy(ProxyContext context)
    {
        // APISIX: ratio 1 short-circuits the draw; otherwise mirror when random < ratio.
        if (config.SampleRatio < 1 && runtime.NextSample() >= config.SampleRatio)
        {
            return;
        }

        metrics.OnSampled();
        var http = context.HttpContext;
        var request = http.Request;
        if (MirrorMarker.IsOn(request.Headers))
        {
            // A copy (of this node or another) mirrored again could loop: a mirror pointed back
            // at a gateway would multiply every request without end.
            metrics.OnDropped(MirrorReasons.Loop);
            return;
        }

        if (HttpMethods.IsConnect(request.Method))
        {
            // CONNECT asks for a tunnel to its authority; a copy has no target to carry it.
            metrics.OnDropped(MirrorReasons.ConnectMethod);
            return;
        }

        if (!_circuit.AllowsRequest())
        {
            metrics.OnDropped(MirrorReasons.CircuitOpen);
            return;
        }

        if (runtime.Dispatcher.IsFull)
        {
            // A mirror that cannot keep up: drop now, before freezing headers or buffering a body.
            metrics.OnDropped(MirrorReasons.QueueFull);
            return;
        }

        if (IsUpgrade(http))
        {
            metrics.OnDropped(MirrorReasons.Upgrade);
            return;
        }

        var settings = runtime.Settings;
        var hasBody = HasBody(http);
        if (hasBody && request.ContentLength > settings.MaxBodySize)
        {
            metrics.OnDropped(MirrorReasons.BodyTooLarge);
            return;
        }

        var mirror = Copy(context);

        // Exact or not sent: a field that would split the head is never queued (nor its body buffered).
        if (Http1RequestHead.Unwritable(mirror) is { } problem)
        {
            runtime.Dispatcher.Fail(mirror, MirrorReasons.Error, $"the copy was not sent: {problem}");
            return;
        }

        if (!hasBody)
        {
            runtime.Dispatcher.TryEnqueue(mirror);
            return;
        }

        var pending = new PendingMirror(mirror, runtime.Dispatcher, http.RequestAborted);
        var tee = new MirrorTeeStream(request.Body, pending, new MirrorBodyBuffer(runtime.Dispatcher.Budget), settings.MaxBodySize, request.ContentLength);
        request.Body = tee;
        http.Response.RegisterForDispose(tee);
    }

    /// <summary>The copy of the request as it stands now: method, target, Host, headers; no body yet.</summary>
    internal MirrorRequest Copy(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        return new MirrorRequest
        {
            Method = HttpMethod.Parse(request.Method),
            Origin = config.Origin,
            PathAndQuery = BuildPathAndQuery(context),
            Version = config.IsGrpc ? Http2 : Http11,
            Host = context.UpstreamHost ?? request.Host.Value ?? "",
            Headers = MirrorHeaders.Freeze(context, config.IsGrpc, runtime.Marker),
            Metrics = metrics,
            Circuit = _circuit,
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

        return config.BuildPathAndQuery(RawPath(http), http.Request.QueryString.Value ?? "", context.UpstreamUri);
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

    private static bool HasBody(HttpContext http)
    {
        if (http.Request.ContentLength is { } length)
        {
            return length > 0;
        }

        return http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
    }

    private static bool IsUpgrade(HttpContext http)
        => http.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
           || http.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Mirroring;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// proxy-mirror compiled for one route. Runs in before_proxy, once the node is picked and the
/// upstream Host is known: samples, freezes the mirror request, and either queues it (no body) or
/// installs the body tee that queues it when the body has streamed through. A request sampled
/// out costs one random draw and allocates nothing.
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

        var http = context.HttpContext;
        if (IsUpgrade(http))
        {
            metrics.OnDropped(MirrorReasons.Upgrade);
            return;
        }

        var settings = runtime.Settings;
        var request = http.Request;
        var hasBody = HasBody(http);
        if (hasBody && request.ContentLength > settings.MaxBodySize)
        {
            metrics.OnDropped(MirrorReasons.BodyTooLarge);
            return;
        }

        var mirror = new MirrorRequest
        {
            Method = HttpMethod.Parse(request.Method),
            Origin = config.BaseUri,
            PathAndQuery = BuildPathAndQuery(context),
            Version = config.IsGrpc ? Http2 : Http11,
            Host = context.UpstreamHost ?? request.Host.Value ?? "",
            Headers = MirrorHeaders.Freeze(context, config.IsGrpc),
            Metrics = metrics,
            Circuit = _circuit,
        };

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

    // Kept exactly as built (percent-encoding, dot segments): no Uri is made on the request path.
    private string BuildPathAndQuery(ProxyContext context)
        => config.BuildPathAndQuery(RawPath(context.HttpContext), context.HttpContext.Request.QueryString.Value ?? "", context.UpstreamUri);

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

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Mirroring;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// proxy-mirror compiled for one route. Runs in before_proxy, once the node is picked and the
/// upstream Host is known: asks each target (<see cref="MirrorTargetHandler"/>) for its copy,
/// then queues the copies of a request without a body, or installs one body tee whose buffer all
/// the copies share (each holds it until it settles). A request no target takes allocates nothing.
/// </summary>
internal sealed class ProxyMirrorHandler(IReadOnlyList<MirrorTargetHandler> targets, MirrorRuntime runtime) : PluginHandler
{
    public override bool HasBeforeProxy => true;

    public IReadOnlyList<MirrorTargetHandler> Targets => targets;

    public static ProxyMirrorHandler Create(ProxyMirrorConfig config, MirrorRuntime runtime, string routeId)
    {
        var handlers = new MirrorTargetHandler[config.Targets.Count];
        for (var i = 0; i < handlers.Length; i++)
        {
            var target = config.Targets[i];
            var killSwitch = target.KillSwitch is { } options
                ? new MirrorKillSwitch(options, routeId, target.Name, runtime.Time, runtime.Logger)
                : null;
            var load = target.QueueSize is { } size ? new MirrorTargetLoad(size) : null;
            handlers[i] = new MirrorTargetHandler(target, runtime, new MirrorTargetMetrics(runtime.Metrics, routeId, target.Name, killSwitch, load));
        }

        return new ProxyMirrorHandler(handlers, runtime);
    }

    public override void BeforeProxy(ProxyContext context)
    {
        var http = context.HttpContext;
        bool? hasBody = null; // looked up only once a target takes the request
        PendingMirror? pending = null;
        for (var i = 0; i < targets.Count; i++)
        {
            if (targets[i].Admit(context) is not { } mirror)
            {
                continue;
            }

            hasBody ??= HasBody(http);
            if (hasBody == false)
            {
                runtime.Dispatcher.TryEnqueue(mirror);
            }
            else if (pending is null)
            {
                pending = new PendingMirror(mirror, runtime.Dispatcher, http.RequestAborted);
            }
            else
            {
                pending.Add(mirror);
            }
        }

        if (pending is not null)
        {
            var request = http.Request;
            var tee = new MirrorTeeStream(request.Body, pending, new MirrorBodyBuffer(runtime.Dispatcher.Budget), runtime.Settings.MaxBodySize, request.ContentLength);
            request.Body = tee;
            http.Response.RegisterForDispose(tee);
        }
    }

    private static bool HasBody(HttpContext http)
    {
        if (http.Request.ContentLength is { } length)
        {
            return length > 0;
        }

        return http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
    }
}

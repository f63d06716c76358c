using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;
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
    // The most body any compared target keeps: the primary's answer is captured once, that far.
    private readonly int _captureBytes = targets.Max(t => t.Comparison?.Options.BodyBytes ?? 0);

    public override bool HasBeforeProxy => true;

    /// <summary>
    /// APISIX computes the mirror's URI in proxy-mirror's rewrite phase; everything else of the copy
    /// (method, headers, Host) is taken when the copy starts. Keeping the upstream URI as it stands
    /// here gives the same answer: a proxy-rewrite that runs after this one (its default order) is
    /// not seen by the mirror, one moved before it with <c>_meta.priority</c> is.
    /// </summary>
    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
    {
        context.UpstreamUriAtMirror = context.UpstreamUri;
        return PhaseResult.ContinueTask;
    }

    /// <summary>Whether the target named <paramref name="target"/> compares its answers.</summary>
    public bool Compares(string target)
    {
        foreach (var handler in targets)
        {
            if (handler.Comparison is not null && handler.Config.Name == target)
            {
                return true;
            }
        }

        return false;
    }

    public IReadOnlyList<MirrorTargetHandler> Targets => targets;

    /// <param name="comparisons">The node's compare services; needed when a target compares.</param>
    public static ProxyMirrorHandler Create(ProxyMirrorConfig config, MirrorRuntime runtime, string routeId, CompareServices? comparisons = null)
    {
        var handlers = new MirrorTargetHandler[config.Targets.Count];
        for (var i = 0; i < handlers.Length; i++)
        {
            var target = config.Targets[i];
            var killSwitch = target.KillSwitch is { } options
                ? new MirrorKillSwitch(options, routeId, target.Name, runtime.Time, runtime.Logger)
                : null;
            var load = target.QueueSize is { } size ? new MirrorTargetLoad(size) : null;
            var comparison = target.Compare is { } compare
                ? new MirrorTargetComparison(
                    CompareOptions.FromJson(compare, runtime.Marker.HeaderName),
                    comparisons ?? throw new InvalidOperationException("a compared target needs the node's compare services"),
                    runtime,
                    routeId,
                    target.Name)
                : null;
            handlers[i] = new MirrorTargetHandler(target, runtime, new MirrorTargetMetrics(runtime.Metrics, routeId, target.Name, killSwitch, load), comparison);
        }

        return new ProxyMirrorHandler(handlers, runtime);
    }

    public override void BeforeProxy(ProxyContext context)
    {
        var http = context.HttpContext;
        bool? hasBody = null; // looked up only once a target takes the request
        PendingMirror? pending = null;
        ComparedResponse? compared = null;
        for (var i = 0; i < targets.Count; i++)
        {
            if (targets[i].Admit(context, out var comparison, out var noise) is not { } mirror)
            {
                continue;
            }

            if (comparison is not null)
            {
                // Before the copies are queued: a fast mirror may answer before this method returns.
                compared ??= ComparedResponse.Install(http, _captureBytes);
                compared.Add(comparison);
            }

            hasBody ??= HasBody(http);
            Hand(mirror, hasBody.Value, ref pending, http);
            if (noise is not null)
            {
                Hand(noise, hasBody.Value, ref pending, http);
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

    /// <summary>Queues a copy of a request without a body; one with a body waits for the shared tee.</summary>
    private void Hand(MirrorRequest mirror, bool hasBody, ref PendingMirror? pending, HttpContext http)
    {
        if (!hasBody)
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

    private static bool HasBody(HttpContext http)
    {
        if (http.Request.ContentLength is { } length)
        {
            return length > 0;
        }

        return http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? false;
    }
}

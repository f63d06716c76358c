using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using MirrorGate.Balancing;
using MirrorGate.Consumers;
using MirrorGate.Observability;
using MirrorGate.Observability.Apisix;
using MirrorGate.Snapshot;
using Yarp.ReverseProxy.Forwarder;

namespace MirrorGate.Pipeline;

/// <summary>
/// The data plane: match a route in the current snapshot, run the global rules' and the route's plugins by phase, pick a node,
/// forward with YARP (retrying connection failures on other nodes when safe), then the log phase.
/// </summary>
internal sealed partial class ProxyMiddleware(SnapshotHolder snapshots, IHttpForwarder forwarder, RequestObservers observers, ServerHeader server, TimeProvider time, ILogger<ProxyMiddleware> logger)
{
    // A dead upstream under load must not write one line per request.
    private readonly LogRateLimiter<(string Route, string Node, ForwarderError Error)> _failureLog = new(time, maxPerInterval: 5, interval: TimeSpan.FromSeconds(10));

    private readonly UpstreamRequestTransformer _transformer = new(server);

    private static readonly byte[] RouteNotFound = """{"error_msg":"404 Route Not Found"}"""u8.ToArray();
    private static readonly byte[] NoUpstream = """{"error_msg":"missing upstream configuration in Route or Service"}"""u8.ToArray();
    private static readonly byte[] NoNode = """{"error_msg":"no valid upstream node"}"""u8.ToArray();

    /// <summary>What the global rules' plugins see as the route of a request that matched none.</summary>
    private static readonly RouteModel UnmatchedRoute = new() { Id = "", Config = [], Plugins = PluginChain.Empty };

    public Task InvokeAsync(HttpContext http) => observers.Any ? InvokeObservedAsync(http) : HandleAsync(http);

    /// <summary>The request with its access log line and metrics: timed, bytes counted when asked, observers told at the end.</summary>
    private async Task InvokeObservedAsync(HttpContext http)
    {
        var started = Stopwatch.GetTimestamp();
        observers.Started();
        var counts = observers.NeedsByteCounts ? ByteCounts.Install(http) : null;
        try
        {
            await HandleAsync(http).ConfigureAwait(false);
        }
        finally
        {
            observers.Notify(new CompletedRequest
            {
                Http = http,
                Proxy = http.Features.Get<ProxyContext>(),
                StartTimestamp = started,
                EndTimestamp = Stopwatch.GetTimestamp(),
                RequestBodyBytes = counts?.RequestBodyBytes ?? 0,
                ResponseBodyBytes = counts?.ResponseBodyBytes ?? 0,
            });
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        var snapshot = snapshots.Current;
        var candidate = snapshot.Routes.MatchCandidate(http);
        var global = snapshot.GlobalRules;
        if (candidate is null)
        {
            await (global is null ? WriteAsync(http, StatusCodes.Status404NotFound, RouteNotFound) : HandleUnmatchedAsync(http, global, snapshot.Consumers)).ConfigureAwait(false);
            return;
        }

        var route = candidate.Value;
        var context = new ProxyContext(http, route) { MatchedUri = candidate.Uri.Original, Consumers = snapshot.Consumers };
        http.Features.Set(context);
        var handlers = route.Plugins.Handlers;
        if (route.Plugins.HasHeaderFilter)
        {
            // Registered before any plugin runs, so it is called last (the response runs its
            // starting callbacks newest first): header filters see the other plugins' edits.
            http.Response.OnStarting(RunHeaderFilters, context);
        }

        if (global is { HasHeaderFilter: true })
        {
            // The global rules' header filters run before the route's, as APISIX runs them: this
            // callback is registered after the route's, so it is called before it.
            http.Response.OnStarting(RunGlobalHeaderFilters, (context, global));
        }

        try
        {
            // As APISIX runs them: the global rules' rewrite, the route's rewrite, the global
            // rules' access, the route's access; the first answer ends the request.
            if (global is not null && await RewriteAsync(global.Handlers, context).ConfigureAwait(false) is { IsContinue: false } globalRewrite)
            {
                await WriteAsync(http, globalRewrite).ConfigureAwait(false);
                return;
            }

            for (var i = 0; i < handlers.Length; i++)
            {
                var result = await handlers[i].RewriteAsync(context).ConfigureAwait(false);
                if (!result.IsContinue)
                {
                    await WriteAsync(http, result).ConfigureAwait(false);
                    return;
                }
            }

            // An auth plugin attached a consumer: its plugins join the chain (APISIX's merge_consumer_route).
            if (context.Consumer?.MergeInto(route.Plugins) is { } merged)
            {
                context.Plugins = merged.Chain;
                handlers = merged.Chain.Handlers;
                // As in APISIX, whose _meta.filter verdicts are cached per configuration: the merged one is new.
                context.FilterVerdicts = null;
                if (merged.Chain.HasHeaderFilter && !route.Plugins.HasHeaderFilter)
                {
                    // A consumer's plugin filters the response headers of a route without such a plugin.
                    http.Response.OnStarting(RunHeaderFilters, context);
                }

                foreach (var late in merged.RewriteInConsumer)
                {
                    var result = await late.RewriteAsync(context).ConfigureAwait(false);
                    if (!result.IsContinue)
                    {
                        await WriteAsync(http, result).ConfigureAwait(false);
                        return;
                    }
                }
            }

            if (global is not null && await AccessAsync(global.Handlers, context).ConfigureAwait(false) is { IsContinue: false } globalAccess)
            {
                await WriteAsync(http, globalAccess).ConfigureAwait(false);
                return;
            }

            for (var i = 0; i < handlers.Length; i++)
            {
                var result = await handlers[i].AccessAsync(context).ConfigureAwait(false);
                if (!result.IsContinue)
                {
                    await WriteAsync(http, result).ConfigureAwait(false);
                    return;
                }
            }

            await ProxyAsync(context, global).ConfigureAwait(false);
        }
        finally
        {
            // A client that went away gets nothing more; otherwise a held-back body is written now
            // (only a plugin installs one, so a route without plugins skips the lookup).
            if ((handlers.Length > 0 || global is not null) && http.Features.Get<IDeferredResponseBody>() is { } deferred && !http.RequestAborted.IsCancellationRequested)
            {
                await deferred.FinishAsync().ConfigureAwait(false);
            }

            if (global is { HasLog: true })
            {
                Log(global.Handlers, context);
            }

            if (context.Plugins.HasLog)
            {
                for (var i = 0; i < handlers.Length; i++)
                {
                    handlers[i].Log(context);
                }
            }
        }
    }

    /// <summary>
    /// A request that matches no route still runs the global rules' rewrite and access phases, as
    /// APISIX does, and gets their answer or else the 404; their log phase follows. The context
    /// names no route (id "") and is published as the request's feature only when a global
    /// prometheus plugin marked it, so APISIX's http series count the request with empty route
    /// labels as APISIX's exporter does; otherwise the access log and the metrics see a request
    /// that matched nothing.
    /// </summary>
    private static async Task HandleUnmatchedAsync(HttpContext http, PluginChain global, ConsumerSet consumers)
    {
        // A global key-auth finds its consumers here too: a known key gets the 404, as in APISIX.
        var context = new ProxyContext(http, UnmatchedRoute) { Consumers = consumers };
        try
        {
            var result = await RewriteAsync(global.Handlers, context).ConfigureAwait(false);
            if (result.IsContinue)
            {
                result = await AccessAsync(global.Handlers, context).ConfigureAwait(false);
            }

            await (result.IsContinue ? WriteAsync(http, StatusCodes.Status404NotFound, RouteNotFound) : WriteAsync(http, result)).ConfigureAwait(false);
        }
        finally
        {
            if (http.Features.Get<IDeferredResponseBody>() is { } deferred && !http.RequestAborted.IsCancellationRequested)
            {
                await deferred.FinishAsync().ConfigureAwait(false);
            }

            if (global.HasLog)
            {
                Log(global.Handlers, context);
                if (context.ApisixHttpMetrics != ApisixHttpMetricsMark.None)
                {
                    http.Features.Set(context);
                }
            }
        }
    }

    private static async ValueTask<PhaseResult> RewriteAsync(PluginHandler[] handlers, ProxyContext context)
    {
        for (var i = 0; i < handlers.Length; i++)
        {
            var result = await handlers[i].RewriteAsync(context).ConfigureAwait(false);
            if (!result.IsContinue)
            {
                return result;
            }
        }

        return PhaseResult.Continue;
    }

    private static async ValueTask<PhaseResult> AccessAsync(PluginHandler[] handlers, ProxyContext context)
    {
        for (var i = 0; i < handlers.Length; i++)
        {
            var result = await handlers[i].AccessAsync(context).ConfigureAwait(false);
            if (!result.IsContinue)
            {
                return result;
            }
        }

        return PhaseResult.Continue;
    }

    private static void BeforeProxy(PluginHandler[] handlers, ProxyContext context)
    {
        for (var i = 0; i < handlers.Length; i++)
        {
            handlers[i].BeforeProxy(context);
        }
    }

    private static void Log(PluginHandler[] handlers, ProxyContext context)
    {
        for (var i = 0; i < handlers.Length; i++)
        {
            handlers[i].Log(context);
        }
    }

    private static readonly Func<object, Task> RunGlobalHeaderFilters = static state =>
    {
        var (context, global) = ((ProxyContext, PluginChain))state;
        var handlers = global.Handlers;
        for (var i = 0; i < handlers.Length; i++)
        {
            handlers[i].HeaderFilter(context);
        }

        return Task.CompletedTask;
    };

    private static readonly Func<object, Task> RunHeaderFilters = static state =>
    {
        var context = (ProxyContext)state;
        var handlers = context.Plugins.Handlers;
        for (var i = 0; i < handlers.Length; i++)
        {
            handlers[i].HeaderFilter(context);
        }

        return Task.CompletedTask;
    };

    private async Task ProxyAsync(ProxyContext context, PluginChain? global)
    {
        var http = context.HttpContext;
        var route = context.Route;
        var upstream = route.Upstream;
        if (upstream is null)
        {
            await WriteAsync(http, StatusCodes.Status503ServiceUnavailable, NoUpstream).ConfigureAwait(false);
            return;
        }

        if (!route.EnableWebsocket)
        {
            // Without enable_websocket APISIX proxies an upgrade request as a plain request.
            http.Features.Set<IHttpUpgradeFeature>(null);
            http.Features.Set<IHttpExtendedConnectFeature>(null);
        }

        var balancer = upstream.Balancer;
        var node = balancer.Pick(http, null);
        if (node is null)
        {
            await WriteAsync(http, StatusCodes.Status502BadGateway, NoNode).ConfigureAwait(false);
            return;
        }

        var retriesLeft = upstream.Retries ?? Math.Max(0, balancer.Nodes.Count - 1);
        var started = Stopwatch.GetTimestamp();
        List<UpstreamNode>? tried = null;
        var first = true;
        while (true)
        {
            context.Node = node;
            context.UpstreamHost = upstream.PassHost switch
            {
                PassHostMode.Node => node.HostHeaderForPassNode,
                PassHostMode.Rewrite => upstream.UpstreamHost,
                _ => context.RewrittenUpstreamHost ?? http.Request.Host.Value,
            };

            if (first && global is { HasBeforeProxy: true })
            {
                BeforeProxy(global.Handlers, context);
            }

            if (first && context.Plugins.HasBeforeProxy)
            {
                BeforeProxy(context.Plugins.Handlers, context);
            }

            first = false;
            var attemptStarted = Stopwatch.GetTimestamp();
            balancer.OnStarted(node);
            var error = await forwarder.SendAsync(http, upstream.DestinationPrefixes[node], upstream.Invoker, upstream.RequestConfig, _transformer).ConfigureAwait(false);
            var statusCode = error switch
            {
                ForwarderError.None => http.Response.StatusCode,
                ForwarderError.RequestTimedOut => -1,
                ForwarderError.Request => 0,
                _ => http.Response.StatusCode,
            };
            var attemptElapsed = Stopwatch.GetElapsedTime(attemptStarted);
            balancer.OnCompleted(node, statusCode, attemptElapsed);
            if (context.LastAttempt is { } earlier)
            {
                (context.EarlierAttempts ??= []).Add(earlier);
            }

            context.LastAttempt = new UpstreamAttempt(node, http.Response.StatusCode, attemptElapsed);
            if (error == ForwarderError.None)
            {
                return;
            }

            if (_failureLog.TryAcquire((route.Id, node.Authority, error), out var suppressed))
            {
                LogForwardFailed(route.Id, node.Authority, error, http.Features.Get<IForwarderErrorFeature>()?.Exception?.Message, LogRateLimiter.SuppressedNote(suppressed));
            }
            UpstreamNode? next = null;
            if (CanRetry(http, error) && retriesLeft-- > 0
                && (upstream.RetryTimeout <= TimeSpan.Zero || Stopwatch.GetElapsedTime(started) <= upstream.RetryTimeout))
            {
                (tried ??= []).Add(node);
                next = balancer.Pick(http, tried);
            }

            if (next is null)
            {
                // The failure YARP answered (502, or 504 on a timeout) is what the client gets; pick
                // no further node only after deciding, so a cleared response is never sent as 200.
                MarkUpstreamStatus(context);
                await GatewayErrorPage.WriteIfEmptyAsync(http.Response).ConfigureAwait(false);
                return;
            }

            context.FailedAttempts = $"{context.FailedAttempts}{http.Response.StatusCode.ToString(CultureInfo.InvariantCulture)}, ";
            http.Response.Clear();
            http.Features.Set<IForwarderErrorFeature>(null);
            node = next;
        }
    }

    /// <summary>
    /// A failed final attempt carries <c>X-APISIX-Upstream-Status</c> like nginx's
    /// <c>$upstream_status</c>: every attempt's status, e.g. <c>502, 504</c>.
    /// </summary>
    private static void MarkUpstreamStatus(ProxyContext context)
    {
        var response = context.HttpContext.Response;
        if (!response.HasStarted && response.StatusCode >= 500)
        {
            response.Headers[UpstreamRequestTransformer.UpstreamStatusHeader] =
                context.FailedAttempts + response.StatusCode.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>
    /// Only a failure to reach the node is retried, and only when nothing of the request body was
    /// consumed and no response started: a streamed body cannot be sent twice.
    /// </summary>
    private static bool CanRetry(HttpContext http, ForwarderError error)
        => error is ForwarderError.Request
           && !http.Response.HasStarted
           && (http.Request.ContentLength is null or 0)
           && http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true;

    private static Task WriteAsync(HttpContext http, PhaseResult result)
    {
        http.Response.StatusCode = result.StatusCode;
        if (result.Body is null)
        {
            return GatewayErrorPage.WriteIfEmptyAsync(http.Response);
        }

        http.Response.ContentType = result.Body.StartsWith('{') ? "application/json" : "text/plain; charset=utf-8";
        return http.Response.WriteAsync(result.Body);
    }

    private static Task WriteAsync(HttpContext http, int status, byte[] body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.ContentLength = body.Length;
        return http.Response.Body.WriteAsync(body).AsTask();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Route {RouteId}: forwarding to {Node} failed ({Error}): {Message}{Suppressed}")]
    private partial void LogForwardFailed(string routeId, string node, ForwarderError error, string? message, string suppressed);
}

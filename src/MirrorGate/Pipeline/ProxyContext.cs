using Microsoft.AspNetCore.Http;
using MirrorGate.Balancing;
using MirrorGate.Consumers;
using MirrorGate.Observability.Apisix;
using MirrorGate.Snapshot;

namespace MirrorGate.Pipeline;

/// <summary>
/// Per-request state shared by the plugins of one route and the proxy step (APISIX's <c>ctx</c>).
/// Lives only for the request; nothing that outlives the request may hold it.
/// </summary>
internal sealed class ProxyContext(HttpContext httpContext, RouteModel route)
{
    public HttpContext HttpContext { get; } = httpContext;

    public RouteModel Route { get; } = route;

    /// <summary>The route's <c>uri</c> (or one of its <c>uris</c>) that matched, as configured (APISIX's <c>matched_uri</c> label).</summary>
    public string MatchedUri { get; init; } = "";

    /// <summary>Path and query sent upstream when a plugin rewrote it (APISIX's <c>upstream_uri</c>); null keeps the client's.</summary>
    public string? UpstreamUri { get; set; }

    /// <summary>
    /// <see cref="UpstreamUri"/> as it stood when proxy-mirror's rewrite phase ran: APISIX fixes
    /// the mirror's URI there, so a proxy-rewrite that runs later (its default priority 1008 is
    /// below proxy-mirror's 1010) is not seen by the mirror unless <c>_meta.priority</c> reorders.
    /// </summary>
    public string? UpstreamUriAtMirror { get; set; }

    /// <summary>
    /// The request's own path as an access-phase plugin set it, escaped as sent (APISIX's
    /// <c>$uri</c> after <c>ngx.req.set_uri</c>: grpc-web's gRPC method path); null when none did.
    /// A gRPC mirror takes it, as APISIX's proxy-mirror reads <c>$uri</c> in before_proxy.
    /// </summary>
    public string? RewrittenUri { get; set; }

    /// <summary>The Host header the upstream gets, known before <c>before_proxy</c> runs (APISIX's <c>upstream_host</c>).</summary>
    public string? UpstreamHost { get; set; }

    /// <summary>
    /// A Host a plugin chose for the upstream (proxy-rewrite's <c>host</c>, APISIX's
    /// <c>ctx.var.upstream_host</c>): sent with <c>pass_host: pass</c>; <c>node</c> and
    /// <c>rewrite</c> still decide theirs, as APISIX's <c>set_upstream_host</c> does.
    /// </summary>
    public string? RewrittenUpstreamHost { get; set; }

    /// <summary>The node the balancer picked for this attempt.</summary>
    public UpstreamNode? Node { get; set; }

    /// <summary>Statuses of earlier failed attempts, each followed by ", " (nginx's <c>$upstream_status</c> prefix); null on the first.</summary>
    public string? FailedAttempts { get; set; }

    /// <summary>The last try at an upstream node; null when the request was not forwarded (a plugin answered, no upstream, no node).</summary>
    public UpstreamAttempt? LastAttempt { get; set; }

    /// <summary>Tries before <see cref="LastAttempt"/> that failed and were retried on another node; null when there were none.</summary>
    public List<UpstreamAttempt>? EarlierAttempts { get; set; }

    /// <summary>Per chain slot, the <c>_meta.filter</c> verdict once evaluated (see <see cref="MetaPluginHandler"/>); null until a filter runs.</summary>
    public MetaFilterVerdict[]? FilterVerdicts { get; set; }

    /// <summary>
    /// Set by the prometheus plugin when it runs for the request (its log phase, so a request a
    /// plugin answered early is recorded too); the last one to run decides, as the route's
    /// config wins over a global rule's in APISIX. None: APISIX's http series skip the request.
    /// </summary>
    public ApisixHttpMetricsMark ApisixHttpMetrics { get; set; }

    /// <summary>The same as <see cref="FilterVerdicts"/> for the global rules' chain, whose slots are its own.</summary>
    public MetaFilterVerdict[]? GlobalFilterVerdicts { get; set; }

    /// <summary>The consumers of the snapshot the request started with (what an auth plugin searches).</summary>
    public ConsumerSet Consumers { get; init; } = ConsumerSet.Empty;

    /// <summary>The consumer an auth plugin attached (APISIX's <c>ctx.consumer</c>); null until then, or when none did.</summary>
    public ConsumerModel? Consumer { get; set; }

    /// <summary>
    /// The chain in effect: the route's, or once a consumer with plugins is attached, the route's
    /// merged with the consumer's (<see cref="ConsumerChain"/>). The access, before_proxy and log
    /// phases run this one.
    /// </summary>
    public PluginChain Plugins { get; set; } = route.Plugins;

    /// <summary>The X-Forwarded-* values sent upstream; the same ones go to a mirror.</summary>
    public ForwardedHeaders Forwarded => field ??= ForwardedHeaders.Compute(HttpContext);
}

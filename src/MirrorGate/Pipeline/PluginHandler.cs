namespace MirrorGate.Pipeline;

/// <summary>
/// One plugin compiled for one route. Phases run in the order APISIX runs them: rewrite, access,
/// before_proxy (after the balancer picked a node), then log once the response is done.
/// A phase returns <see cref="PhaseResult.Continue"/> or a response that ends the request.
/// </summary>
internal abstract class PluginHandler
{
    public virtual ValueTask<PhaseResult> RewriteAsync(ProxyContext context) => PhaseResult.ContinueTask;

    public virtual ValueTask<PhaseResult> AccessAsync(ProxyContext context) => PhaseResult.ContinueTask;

    /// <summary>Runs after the upstream node was picked and the upstream request line and Host are known.</summary>
    public virtual void BeforeProxy(ProxyContext context) { }

    /// <summary>
    /// APISIX's header_filter: runs just before the client's answer starts (the upstream's, a
    /// plugin's or the gateway's), in priority order, after the callbacks plugins registered on
    /// the response themselves; so a later plugin's edit wins, as in APISIX (grpc-web over cors).
    /// </summary>
    public virtual void HeaderFilter(ProxyContext context) { }

    /// <summary>Runs once the primary response has been sent (or the proxying failed).</summary>
    public virtual void Log(ProxyContext context) { }

    /// <summary>Whether this handler overrides <see cref="BeforeProxy"/> or <see cref="Log"/>; lets the chain skip empty calls.</summary>
    public virtual bool HasBeforeProxy => false;

    public virtual bool HasLog => false;

    /// <summary>Whether this handler overrides <see cref="HeaderFilter"/>.</summary>
    public virtual bool HasHeaderFilter => false;
}

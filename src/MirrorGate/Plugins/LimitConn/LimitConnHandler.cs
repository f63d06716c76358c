using MirrorGate.Pipeline;
using MirrorGate.Plugins.Limiting;

namespace MirrorGate.Plugins.LimitConn;

/// <summary>
/// limit-conn compiled for one route. The access phase counts the request in its key's
/// requests in flight: past <c>conn</c> + <c>burst</c> it is refused before proxying (reaching
/// neither the upstream nor a mirror); past <c>conn</c> it first waits <c>default_conn_delay</c>
/// for each <c>conn</c> requests ahead of it, as resty.limit.conn, on an awaited timer. The log
/// phase, which runs however the request ended, takes it out of the count.
/// </summary>
internal sealed class LimitConnHandler(
    ConnectionCounters counters,
    TimeProvider time,
    string scope,
    LimitKey key,
    long conn,
    long burst,
    TimeSpan unitDelay,
    int rejectedCode,
    string? rejectedBody) : PluginHandler
{
    // nginx's code for a client that went away; nothing reaches the client, it names the outcome in the access log.
    private const int ClientClosedRequest = 499;

    public override bool HasLog => true;

    public override ValueTask<PhaseResult> AccessAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var counted = scope + key.Resolve(http);
        var inFlight = counters.TryEnter(counted, conn + burst);
        if (inFlight == 0)
        {
            return new ValueTask<PhaseResult>(PhaseResult.Respond(rejectedCode, rejectedBody));
        }

        http.Features.Set(new LimitConnLease(counters, counted));
        if (inFlight <= conn)
        {
            return PhaseResult.ContinueTask;
        }

        return WaitAsync(unitDelay * ((inFlight - 1) / conn), http.RequestAborted);
    }

    public override void Log(ProxyContext context)
    {
        var features = context.HttpContext.Features;
        features.Get<LimitConnLease>()?.Release();
        features.Set<LimitConnLease>(null);
    }

    private async ValueTask<PhaseResult> WaitAsync(TimeSpan wait, CancellationToken aborted)
    {
        try
        {
            await Task.Delay(wait, time, aborted).ConfigureAwait(false);
            return PhaseResult.Continue;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return PhaseResult.Respond(ClientClosedRequest);
        }
    }
}

using MirrorGate.Pipeline;
using MirrorGate.Plugins.Limiting;

namespace MirrorGate.Plugins.LimitReq;

/// <summary>
/// limit-req compiled for one route. In the access phase a request past <c>rate</c> + <c>burst</c>
/// is refused before proxying (so it reaches neither the upstream nor a mirror); one within the
/// burst waits its turn as APISIX sleeps, with an awaited timer that holds no thread, unless
/// <c>nodelay</c> lets it through at once. Waits under a millisecond are skipped, as APISIX.
/// </summary>
internal sealed class LimitReqHandler(
    LeakyBuckets buckets,
    TimeProvider time,
    string scope,
    LimitKey key,
    double rate,
    double burst,
    bool nodelay,
    int rejectedCode,
    string? rejectedBody) : PluginHandler
{
    // nginx's code for a client that went away; nothing reaches the client, it names the outcome in the access log.
    private const int ClientClosedRequest = 499;

    private static readonly TimeSpan SmallestDelay = TimeSpan.FromMilliseconds(1);

    public override ValueTask<PhaseResult> AccessAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var delay = buckets.Take(scope + key.Resolve(http), rate, burst);
        if (delay is not { } wait)
        {
            return new ValueTask<PhaseResult>(PhaseResult.Respond(rejectedCode, rejectedBody));
        }

        return wait < SmallestDelay || nodelay ? PhaseResult.ContinueTask : WaitAsync(wait, http.RequestAborted);
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

using System.Globalization;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.Limiting;

namespace MirrorGate.Plugins.LimitCount;

/// <summary>
/// limit-count compiled for one route. In the access phase each request spends one from its
/// key's window; past <c>count</c> it is refused with <c>rejected_code</c> before proxying, so
/// it reaches neither the upstream nor a mirror. With <c>show_limit_quota_header</c> the answer
/// carries X-RateLimit-Limit/Remaining/Reset, on refusals too (Remaining 0), as APISIX.
/// </summary>
internal sealed class LimitCountHandler(
    FixedWindowCounters counters,
    string scope,
    LimitKey key,
    long count,
    TimeSpan window,
    int rejectedCode,
    string? rejectedBody,
    bool showQuotaHeaders) : PluginHandler
{
    private readonly string _limitText = count.ToString(CultureInfo.InvariantCulture);

    public override ValueTask<PhaseResult> AccessAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var verdict = counters.Take(scope + key.Resolve(http), count, window);
        if (showQuotaHeaders)
        {
            var headers = http.Response.Headers;
            headers["X-RateLimit-Limit"] = _limitText;
            headers["X-RateLimit-Remaining"] = verdict.Remaining.ToString(CultureInfo.InvariantCulture);
            // APISIX floors to hundredths and prints as Lua does: 60, 59.5, 12.34.
            headers["X-RateLimit-Reset"] = (Math.Floor(verdict.ResetSeconds * 100) / 100).ToString("0.##", CultureInfo.InvariantCulture);
        }

        return verdict.Allowed ? PhaseResult.ContinueTask : new ValueTask<PhaseResult>(PhaseResult.Respond(rejectedCode, rejectedBody));
    }
}

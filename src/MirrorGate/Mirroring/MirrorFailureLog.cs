using Microsoft.Extensions.Logging;
using MirrorGate.Observability;

namespace MirrorGate.Mirroring;

/// <summary>
/// Logs failed mirror copies at a bounded rate (a few lines per route, target and reason every
/// ten seconds, with a count of what was left out), never one line per request under load.
/// </summary>
internal sealed partial class MirrorFailureLog(TimeProvider time, ILogger logger)
{
    private readonly ILogger _logger = logger;
    private readonly LogRateLimiter<(string Route, string Target, string Reason)> _limiter = new(time, maxPerInterval: 5, interval: TimeSpan.FromSeconds(10));

    public void Failed(MirrorRequest request, string reason, string error)
    {
        if (!_limiter.TryAcquire((request.Metrics.RouteId, request.Metrics.Target, reason), out var suppressed))
        {
            return;
        }

        if (reason == MirrorReasons.Resolve)
        {
            // APISIX's wording, so existing log alerts keep matching.
            LogResolveFailed(request.Origin.Host, error, request.Metrics.RouteId, LogRateLimiter.SuppressedNote(suppressed));
        }
        else
        {
            LogMirrorFailed(request.Metrics.Target, request.Metrics.RouteId, reason, error, LogRateLimiter.SuppressedNote(suppressed));
        }
    }


    [LoggerMessage(EventId = 3001, Level = LogLevel.Error,
        Message = "dns resolver resolves domain: {Domain} error: {Error} (route {RouteId}; the primary request is unaffected){Suppressed}")]
    private partial void LogResolveFailed(string domain, string error, string routeId, string suppressed);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "mirror request to {Target} for route {RouteId} failed ({Reason}): {Error}; the primary request is unaffected{Suppressed}")]
    private partial void LogMirrorFailed(string target, string routeId, string reason, string error, string suppressed);
}

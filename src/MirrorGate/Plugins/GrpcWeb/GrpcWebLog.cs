using Microsoft.Extensions.Logging;
using MirrorGate.Observability;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// The lines grpc-web writes when it refuses a request, with APISIX's texts (which APISIX logs at
/// error level). A client can send bad requests as fast as it likes, so they are rate-limited per
/// route: 5 in 10 seconds, then the count of those held back.
/// </summary>
internal sealed partial class GrpcWebLog(string routeId, ILogger logger, TimeProvider time)
{
    private readonly LogRateLimiter<int> _limiter = new(time, maxPerInterval: 5, interval: TimeSpan.FromSeconds(10), maxKeys: 1);

    public void Refused(string reason)
    {
        if (logger.IsEnabled(LogLevel.Warning) && _limiter.TryAcquire(0, out var suppressed))
        {
            LogRefused(logger, routeId, reason, LogRateLimiter.SuppressedNote(suppressed));
        }
    }

    [LoggerMessage(EventId = 2505, Level = LogLevel.Warning, Message = "Route {RouteId}: grpc-web refused the request: {Reason}{Suppressed}")]
    private static partial void LogRefused(ILogger logger, string routeId, string reason, string suppressed);
}

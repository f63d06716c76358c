using Microsoft.Extensions.Logging;

namespace MirrorGate.Observability;

/// <summary>Log messages of the Observability area (event ids 9000-9099).</summary>
internal static partial class ObservabilityLog
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "An observable instrument's callback failed during a Prometheus scrape; its series are missing from this scrape.")]
    public static partial void ObservableCallbackFailed(ILogger logger, Exception exception);
}

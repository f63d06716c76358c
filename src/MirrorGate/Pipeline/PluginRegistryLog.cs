using Microsoft.Extensions.Logging;

namespace MirrorGate.Pipeline;

/// <summary>The registry's start-up line: one warning for all the APISIX plugin names config.yaml lists that are not built here.</summary>
internal static partial class PluginRegistryLog
{
    public static void WarnApisixNotBuilt(ILogger logger, PluginRegistry registry)
    {
        if (registry.ApisixNotBuilt.Count > 0)
        {
            LogApisixNotBuilt(logger, registry.ApisixNotBuilt.Count, string.Join(", ", registry.ApisixNotBuilt));
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "plugins: {Count} APISIX plugins listed in config.yaml are not available in MirrorGate and are ignored: {Names}; a route or service that uses one is refused (see docs/from-apisix.md)")]
    private static partial void LogApisixNotBuilt(ILogger logger, int count, string names);
}

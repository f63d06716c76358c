using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Hosting;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Hosting;

/// <summary>A changed config.yaml applied to the node's live settings.</summary>
public sealed class NodeSettingsTests
{
    private static NodeConfig Config(string pluginAttr) => NodeConfigLoader.LoadFromText($"""
        apisix:
          node_listen: [{"{"}ip: 127.0.0.1, port: 9080{"}"}]
        plugin_attr:
          proxy-mirror:
        {pluginAttr}
        """, "config.yaml").Config;

    [Fact]
    public void Apply_MarkerHeaderChanged_OtherSettingsAppliedAndOneWarningSaysRestart()
    {
        var logger = new ListLogger();
        var initial = Config("    queue_size: 10");
        var settings = new NodeSettings(initial, ProxyMirrorSettings.FromPluginAttr(initial.PluginAttr), logger);

        settings.Apply(Config("    queue_size: 20\n    marker_header: X-Shadow-Of"));

        Assert.Equal(20, settings.Mirror.QueueSize);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("marker_header X-Shadow-Of; it applies when the node restarts", warning.Message);
        Assert.Contains(MirrorMarker.DefaultHeaderName, warning.Message);
    }

    [Fact]
    public void Apply_MarkerHeaderUnchanged_NoWarning()
    {
        var logger = new ListLogger();
        var initial = Config("    marker_header: X-Shadow-Of");
        var settings = new NodeSettings(initial, ProxyMirrorSettings.FromPluginAttr(initial.PluginAttr), logger);

        settings.Apply(Config("    marker_header: x-shadow-of\n    queue_size: 20"));

        Assert.DoesNotContain(logger.Entries, e => e.Level == LogLevel.Warning);
    }

    private sealed class ListLogger : ILogger<NodeSettings>
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return _entries.ToArray();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}

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
    public void Apply_CheckedConfig_SwapsMirrorSettingsWithoutLogging()
    {
        var logger = new ListLogger();
        var initial = Config("    queue_size: 10");
        var settings = new NodeSettings(initial, ProxyMirrorSettings.FromPluginAttr(initial.PluginAttr), logger);

        settings.Apply(Config("    queue_size: 20"));

        Assert.Equal(20, settings.Mirror.QueueSize);
        Assert.Empty(logger.Entries);
    }

    [Fact]
    public void Apply_BadValue_KeepsPreviousSettingsAndLogsOneError()
    {
        var logger = new ListLogger();
        var initial = Config("    queue_size: 10");
        var settings = new NodeSettings(initial, ProxyMirrorSettings.FromPluginAttr(initial.PluginAttr), logger);

        settings.Apply(Config("    max_body_size: 32q"));

        Assert.Equal(10, settings.Mirror.QueueSize);
        Assert.Equal(LogLevel.Error, Assert.Single(logger.Entries).Level);
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

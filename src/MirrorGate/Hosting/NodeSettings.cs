using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Mirroring;

namespace MirrorGate.Hosting;

/// <summary>
/// The node's live settings: the config.yaml in force and what is derived from it. A changed file
/// (seen by <see cref="ConfigFileWatcher"/>) swaps in new values; a bad value is logged and the
/// previous settings stay.
/// </summary>
internal sealed partial class NodeSettings(NodeConfig initial, ProxyMirrorSettings mirror, ILogger<NodeSettings> logger)
{
    private volatile ProxyMirrorSettings _mirror = mirror;

    // The marker every copy carries and the Admin API refuses is fixed when the node starts.
    private readonly string _markerAtStart = mirror.MarkerHeader;

    public NodeConfig Config { get; private set; } = initial;

    public ProxyMirrorSettings Mirror => _mirror;

    public void Apply(NodeConfig config)
    {
        try
        {
            var mirror = ProxyMirrorSettings.FromPluginAttr(config.PluginAttr);
            Config = config;
            _mirror = mirror;
            LogApplied(config.Source);
            if (!mirror.MarkerHeader.Equals(_markerAtStart, StringComparison.OrdinalIgnoreCase))
            {
                LogMarkerAtRestart(config.Source, mirror.MarkerHeader, _markerAtStart);
            }
        }
        catch (ConfigException ex)
        {
            LogRejected(config.Source, ex.Message);
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Applied plugin_attr from {Source}")]
    private partial void LogApplied(string source);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "{Source} names plugin_attr.proxy-mirror.marker_header {Name}; it applies when the node restarts, until then copies carry {Current} and requests carrying {Current} are refused as copies")]
    private partial void LogMarkerAtRestart(string source, string name, string current);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Ignoring the change to {Source}: {Problem}; the previous settings stay in force")]
    private partial void LogRejected(string source, string problem);
}

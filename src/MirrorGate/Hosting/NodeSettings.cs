using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Mirroring;

namespace MirrorGate.Hosting;

/// <summary>
/// The node's live settings: the config.yaml in force and what is derived from it. A changed file
/// (seen, checked and logged by <see cref="ConfigFileWatcher"/>) swaps in new live values.
/// </summary>
internal sealed partial class NodeSettings(NodeConfig initial, ProxyMirrorSettings mirror, ILogger<NodeSettings> logger)
{
    private volatile ProxyMirrorSettings _mirror = mirror;

    public NodeConfig Config { get; private set; } = initial;

    public ProxyMirrorSettings Mirror => _mirror;

    /// <summary>
    /// Swaps in the live settings of <paramref name="config"/>. <see cref="ConfigFileWatcher"/> has
    /// already checked them and logged what changed; a config that still fails here changes nothing.
    /// </summary>
    public void Apply(NodeConfig config)
    {
        try
        {
            var mirror = ProxyMirrorSettings.FromPluginAttr(config.PluginAttr);
            Config = config;
            _mirror = mirror;
        }
        catch (ConfigException ex)
        {
            LogRejected(config.Source, ex.Message);
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Ignoring the change to {Source}: {Problem}; the previous settings stay in force")]
    private partial void LogRejected(string source, string problem);
}

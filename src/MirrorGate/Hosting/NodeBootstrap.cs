using MirrorGate.Configuration;
using MirrorGate.Mirroring;
using MirrorGate.Stores;

namespace MirrorGate.Hosting;

/// <summary>Everything read and checked before the host is built; any problem here stops start-up with a message naming the key.</summary>
internal sealed record NodeBootstrap(
    string ConfigPath,
    NodeConfig Config,
    IReadOnlyList<string> Warnings,
    ProxyMirrorSettings MirrorSettings,
    string? AdminKeyFile,
    bool AdminKeyGenerated,
    NodeIdResult NodeId,
    string[] HostArgs)
{
    /// <summary>Stores beyond the embedded SQLite one, by <c>config_provider</c>.</summary>
    public IReadOnlyList<IConfigStoreProvider> StoreProviders { get; init; } = [];

    public static NodeBootstrap Load(CommandLine commandLine)
    {
        var (config, warnings) = NodeConfigLoader.Load(commandLine.ConfigPath);
        var (withKeys, keys) = AdminKeyBootstrap.Apply(config);
        var mirror = ProxyMirrorSettings.FromPluginAttr(withKeys.PluginAttr);
        var nodeId = NodeIdBootstrap.Resolve(withKeys);
        return new NodeBootstrap(Path.GetFullPath(commandLine.ConfigPath), withKeys, warnings, mirror, keys.KeyFilePath, keys.Generated, nodeId, commandLine.HostArgs);
    }
}

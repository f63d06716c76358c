using MirrorGate.Configuration;

namespace MirrorGate.Stores;

/// <summary>
/// Creates the store for one <c>config_provider</c>. The embedded SQLite store is built in; the
/// etcd store lives in its own assembly (so its gRPC dependencies stay optional) and is handed
/// to the host by the executable.
/// </summary>
internal interface IConfigStoreProvider
{
    ConfigProvider Provider { get; }

    IConfigStore Create(NodeConfig config, IServiceProvider services);
}

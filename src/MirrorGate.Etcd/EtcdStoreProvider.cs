using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Stores;

namespace MirrorGate.Etcd;

/// <summary><c>config_provider: etcd</c>: the store shared by every node of a cluster, built from <c>deployment.etcd</c>.</summary>
public sealed class EtcdStoreProvider : IConfigStoreProvider
{
    ConfigProvider IConfigStoreProvider.Provider => ConfigProvider.Etcd;

    IConfigStore IConfigStoreProvider.Create(NodeConfig config, IServiceProvider services) =>
        new EtcdConfigStore(
            config.Deployment.Etcd,
            services.GetRequiredService<ILogger<EtcdConfigStore>>(),
            services.GetRequiredService<ILogger<EtcdWatcher>>());
}

using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Etcd;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>Builds etcd stores and etcd-backed gateway nodes against a test's own etcd.</summary>
internal static class EtcdTestStores
{
    public static EtcdConfig Config(EtcdServer etcd, string prefix = "/apisix", int timeoutSeconds = 5, int startupRetry = 2) =>
        new([new Uri(etcd.ClientUrl)], prefix, TimeSpan.FromSeconds(timeoutSeconds), TimeSpan.FromSeconds(50), null, null, null, startupRetry);

    /// <summary>A store whose log lines land in <paramref name="logs"/>; not yet initialized.</summary>
    public static EtcdConfigStore Create(EtcdConfig config, CapturedLogs logs)
    {
        var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        return new EtcdConfigStore(config, factory.CreateLogger<EtcdConfigStore>(), factory.CreateLogger<EtcdWatcher>());
    }

    /// <summary>A store on <paramref name="etcd"/>, initialized and with its first full read done (so its watch runs).</summary>
    public static async Task<EtcdConfigStore> OpenAsync(EtcdServer etcd, CapturedLogs logs, string prefix = "/apisix")
    {
        var store = Create(Config(etcd, prefix), logs);
        await store.InitializeAsync(CancellationToken.None);
        await store.LoadAllAsync(CancellationToken.None);
        return store;
    }

    /// <summary>The <c>deployment:</c> store lines of a node on <paramref name="etcd"/> (for <see cref="GatewayNode.StartAsync"/>).</summary>
    public static string DeploymentYaml(EtcdServer etcd, string prefix = "/apisix", int timeoutSeconds = 3, int startupRetry = 2) =>
        $$"""
          role_traditional: {config_provider: etcd}
          etcd:
            host: ["{{etcd.ClientUrl}}"]
            prefix: {{prefix}}
            timeout: {{timeoutSeconds}}
            startup_retry: {{startupRetry}}
        """;

    /// <summary>Starts an in-process gateway node with <c>config_provider: etcd</c> on <paramref name="etcd"/>.</summary>
    public static Task<GatewayNode> StartGatewayAsync(EtcdServer etcd, string prefix = "/apisix", string? pluginAttrYaml = null, string? extraYaml = null) =>
        GatewayNode.StartAsync(pluginAttrYaml, extraYaml, storeYaml: DeploymentYaml(etcd, prefix), storeProviders: [new EtcdStoreProvider()]);
}

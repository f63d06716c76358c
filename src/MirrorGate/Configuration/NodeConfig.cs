using System.Text.Json.Nodes;

namespace MirrorGate.Configuration;

/// <summary>
/// One node's settings from <c>config.yaml</c>, in APISIX's key layout, validated and with every
/// default applied. Immutable: a changed file produces a new instance.
/// </summary>
/// <param name="Source">The file it came from (full path), or the name given to <see cref="NodeConfigLoader.LoadFromText"/>.</param>
/// <param name="NodeListen"><c>apisix.node_listen</c>: the proxy listeners; default one on 0.0.0.0:9080.</param>
/// <param name="EnableAdmin"><c>apisix.enable_admin</c>: serve the Admin API on this node; default true.</param>
/// <param name="Deployment"><c>deployment.*</c>: role, store and Admin API settings.</param>
/// <param name="Plugins"><c>plugins</c>: enabled plugin names; null when absent, meaning every built-in plugin (as APISIX).</param>
/// <param name="PluginAttr"><c>plugin_attr</c> as JSON, each plugin reading its own part. Treat as read-only; see <see cref="GetPluginAttr"/>.</param>
/// <param name="PrometheusExportAddr"><c>plugin_attr.prometheus.export_addr</c>; default 127.0.0.1:9091 (APISIX's).</param>
/// <param name="Id"><c>apisix.id</c>: the node's id; null when absent (then <see cref="NodeIdBootstrap"/> generates one).</param>
internal sealed record NodeConfig(
    string Source,
    IReadOnlyList<ListenEndpoint> NodeListen,
    bool EnableAdmin,
    DeploymentConfig Deployment,
    IReadOnlyList<string>? Plugins,
    JsonObject PluginAttr,
    ListenAddress PrometheusExportAddr,
    string? Id)
{
    /// <summary><c>nginx_config.*</c>: error log level and file, access log.</summary>
    public NginxConfig Nginx { get; init; } = NginxConfig.Default;

    /// <summary><c>apisix.enable_server_tokens</c>: the <c>Server</c> header names the gateway and its version; true by default as APISIX.</summary>
    public bool EnableServerTokens { get; init; } = true;

    /// <summary><c>apisix.data_encryption</c>: how plugin fields marked secret are stored.</summary>
    public DataEncryptionConfig DataEncryption { get; init; } = DataEncryptionConfig.Default;

    /// <summary>
    /// A private copy of one plugin's <c>plugin_attr</c> section, or null when it is absent or not a mapping.
    /// A copy, because <see cref="JsonObject"/> is mutable and this config is shared by every reader.
    /// </summary>
    public JsonObject? GetPluginAttr(string pluginName) =>
        PluginAttr[pluginName] is JsonObject section ? (JsonObject)section.DeepClone() : null;

    /// <summary>True when <paramref name="pluginName"/> is enabled: listed in <c>plugins</c>, or <c>plugins</c> absent.</summary>
    public bool IsPluginEnabled(string pluginName) => Plugins is null || Plugins.Contains(pluginName, StringComparer.Ordinal);
}

/// <summary><c>deployment.*</c>.</summary>
/// <param name="SqlitePath"><c>deployment.sqlite.path</c> as a full path (relative paths resolve against the working directory).</param>
internal sealed record DeploymentConfig(
    DeploymentRole Role,
    ConfigProvider ConfigProvider,
    string SqlitePath,
    EtcdConfig Etcd,
    AdminConfig Admin)
{
    /// <summary>Why <see cref="ConfigProvider"/> is what it is (the key that set it, or which default applied), for the start-up line.</summary>
    public string ConfigProviderReason { get; init; } = "default";
}

/// <summary><c>deployment.role</c>. Only a traditional node (data plane and Admin API together) for now.</summary>
internal enum DeploymentRole
{
    Traditional,
}

/// <summary><c>deployment.role_traditional.config_provider</c>: where routes, upstreams, services, plugin configs and global rules live.</summary>
internal enum ConfigProvider
{
    /// <summary>The embedded SQLite store (MirrorGate's default: one node, nothing else to run).</summary>
    Sqlite,

    /// <summary>An etcd cluster shared by several nodes, in APISIX's key layout.</summary>
    Etcd,
}

using System.Text.Json.Nodes;
using MirrorGate.Configuration;
using MirrorGate.Plugins;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Pipeline;

/// <summary>
/// The plugins this node runs: the built-in ones, narrowed by config.yaml's <c>plugins:</c> list
/// (absent = all, as APISIX). Serves each plugin's schema with APISIX's injected <c>_meta</c>.
/// An APISIX config.yaml lists APISIX's plugins; those not built here are set aside
/// (<see cref="ApisixNotBuilt"/>, warned about once at start-up) so the file can be used as it
/// is, while a name that is no APISIX plugin at all is a mistake and stops start-up.
/// </summary>
internal sealed class PluginRegistry
{
    private readonly Dictionary<string, IGatewayPlugin> _enabled;
    private readonly Dictionary<string, JsonObject> _schemas;

    public PluginRegistry(IEnumerable<IGatewayPlugin> builtIn, IReadOnlyList<string>? enabledNames)
    {
        var all = builtIn.ToDictionary(p => p.Name, StringComparer.Ordinal);
        IEnumerable<IGatewayPlugin> enabled = all.Values;
        if (enabledNames is not null)
        {
            var unknown = enabledNames.Where(n => !all.ContainsKey(n) && !ApisixPluginCatalog.Contains(n)).ToList();
            if (unknown.Count > 0)
            {
                throw new ConfigException($"plugins: unknown plugin {string.Join(", ", unknown.Select(n => $"'{n}'"))}: not an APISIX plugin; built-in plugins are {string.Join(", ", all.Keys.Order())}");
            }

            ApisixNotBuilt = enabledNames.Where(n => !all.ContainsKey(n)).Distinct().ToArray();
            enabled = enabledNames.Where(all.ContainsKey).Distinct().Select(n => all[n]);
        }

        Enabled = enabled.OrderByDescending(p => p.Priority).ThenBy(p => p.Name, StringComparer.Ordinal).ToArray();
        _enabled = Enabled.ToDictionary(p => p.Name, StringComparer.Ordinal);
        _schemas = Enabled.ToDictionary(p => p.Name, p => PluginSchemaMeta.WithMeta(p.Schema), StringComparer.Ordinal);
    }

    /// <summary>Names in config.yaml's <c>plugins:</c> that are APISIX plugins MirrorGate does not have; they are ignored.</summary>
    public IReadOnlyList<string> ApisixNotBuilt { get; } = [];

    /// <summary>Enabled plugins, highest priority first (the order of <c>/apisix/admin/plugins/list</c>).</summary>
    public IReadOnlyList<IGatewayPlugin> Enabled { get; }

    public IGatewayPlugin? Find(string name) => _enabled.GetValueOrDefault(name);

    /// <summary>The schema the Admin API validates against and serves (with <c>_meta</c>); null when not enabled.</summary>
    public JsonObject? SchemaFor(string name) => _schemas.GetValueOrDefault(name);

    /// <summary>The plugin's checks beyond its schema (see <see cref="IGatewayPlugin.CheckConfig"/>); null for a plugin not enabled.</summary>
    public string? CheckConfig(string name, JsonObject config) => _enabled.GetValueOrDefault(name)?.CheckConfig(config);

    /// <summary>An enabled plugin of APISIX's type <c>auth</c>; null for any other.</summary>
    public IConsumerAuthPlugin? FindAuth(string name) => _enabled.GetValueOrDefault(name) as IConsumerAuthPlugin;

    /// <summary>
    /// The schema a plugin's config on a consumer is checked against (APISIX's <c>TYPE_CONSUMER</c>):
    /// an auth plugin's consumer schema, any other plugin's own schema; null when not enabled.
    /// </summary>
    public JsonObject? ConsumerSchemaFor(string name) =>
        FindAuth(name) is { } auth ? PluginSchemaMeta.WithMeta(auth.ConsumerSchema) : SchemaFor(name);

    /// <summary>The checks beyond the schema for a consumer's config: none for an auth plugin's credential, else the plugin's own.</summary>
    public string? ConsumerCheckConfig(string name, JsonObject config) => FindAuth(name) is null ? CheckConfig(name, config) : null;
}

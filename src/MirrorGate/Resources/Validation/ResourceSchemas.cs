using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// The JSON schemas shipped as embedded resources (<c>MirrorGate.Schemas.*.json</c>, and the
/// limits checked after them, <c>MirrorGate.Limits.*.json</c>), parsed once. The returned objects
/// are shared: treat them as read-only (clone before changing).
/// </summary>
internal static class ResourceSchemas
{
    private const string Prefix = "MirrorGate.Schemas.";
    private const string LimitsPrefix = "MirrorGate.Limits.";

    private static readonly Lazy<JsonObject> Route = new(() => Load(Prefix + "route.json")!);
    private static readonly Lazy<JsonObject> Upstream = new(() => Load(Prefix + "upstream.json")!);
    private static readonly Lazy<JsonObject> Service = new(() => Load(Prefix + "service.json")!);
    private static readonly Lazy<JsonObject> PluginConfig = new(() => Load(Prefix + "plugin_config.json")!);
    private static readonly Lazy<JsonObject> GlobalRule = new(() => Load(Prefix + "global_rule.json")!);
    private static readonly Lazy<JsonObject> Consumer = new(() => Load(Prefix + "consumer.json")!);
    private static readonly Lazy<JsonObject> Credential = new(() => Load(Prefix + "credential.json")!);
    private static readonly ConcurrentDictionary<string, JsonObject?> Plugins = new(StringComparer.Ordinal);
    private static readonly Lazy<JsonObject> RouteLimits = new(() => Load(LimitsPrefix + "route.json")!);
    private static readonly Lazy<JsonObject> UpstreamLimits = new(() => Load(LimitsPrefix + "upstream.json")!);
    private static readonly Lazy<JsonObject> ServiceLimits = new(() => Load(LimitsPrefix + "service.json")!);
    private static readonly Lazy<JsonObject> PluginConfigLimitsSchema = new(() => Load(LimitsPrefix + "plugin_config.json")!);
    private static readonly Lazy<JsonObject> GlobalRuleLimits = new(() => Load(LimitsPrefix + "global_rule.json")!);
    private static readonly Lazy<JsonObject> ConsumerLimits = new(() => Load(LimitsPrefix + "consumer.json")!);
    private static readonly Lazy<JsonObject> CredentialLimits = new(() => Load(LimitsPrefix + "credential.json")!);
    private static readonly Lazy<JsonObject> PluginLimits = new(() => Load(LimitsPrefix + "plugin.json")!);

    public static JsonObject For(ResourceKind kind) => kind switch
    {
        ResourceKind.Route => Route.Value,
        ResourceKind.Upstream => Upstream.Value,
        ResourceKind.Service => Service.Value,
        ResourceKind.PluginConfig => PluginConfig.Value,
        ResourceKind.GlobalRule => GlobalRule.Value,
        ResourceKind.Consumer => Consumer.Value,
        ResourceKind.Credential => Credential.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The gateway's own bounds for a kind, a schema checked after APISIX's (see <see cref="ResourceLimits"/>).</summary>
    public static JsonObject LimitsFor(ResourceKind kind) => kind switch
    {
        ResourceKind.Route => RouteLimits.Value,
        ResourceKind.Upstream => UpstreamLimits.Value,
        ResourceKind.Service => ServiceLimits.Value,
        ResourceKind.PluginConfig => PluginConfigLimitsSchema.Value,
        ResourceKind.GlobalRule => GlobalRuleLimits.Value,
        ResourceKind.Consumer => ConsumerLimits.Value,
        ResourceKind.Credential => CredentialLimits.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The gateway's own bounds for every plugin config (its <c>_meta</c>).</summary>
    public static JsonObject PluginConfigLimits => PluginLimits.Value;

    /// <summary>
    /// A plugin's own schema (without <c>_meta</c>), or null when none is embedded. Takes the
    /// plugin name (<c>proxy-mirror</c>) or the full resource name
    /// (<c>MirrorGate.Schemas.proxy-mirror.schema.json</c>).
    /// </summary>
    public static JsonObject? Plugin(string resourceName)
    {
        var name = resourceName.StartsWith(Prefix, StringComparison.Ordinal)
            ? resourceName
            : Prefix + resourceName + ".schema.json";
        return Plugins.GetOrAdd(name, Load);
    }

    private static JsonObject? Load(string name)
    {
        using var stream = typeof(ResourceSchemas).Assembly.GetManifestResourceStream(name);
        if (stream is null) return null;
        var schema = JsonNode.Parse(stream) as JsonObject
            ?? throw new InvalidDataException($"embedded schema {name} is not a JSON object");
        Materialize(schema);
        return schema;
    }

    /// <summary>
    /// Walks every node once. A parsed JsonObject/JsonArray builds its children lazily on first
    /// read; doing that here, on one thread, keeps the shared schemas safe for concurrent readers.
    /// </summary>
    internal static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj) Materialize(child);
                break;
            case JsonArray arr:
                foreach (var child in arr) Materialize(child);
                break;
        }
    }
}

using System.Text.Json.Nodes;
using MirrorGate.Plugins;

namespace MirrorGate.Resources.Validation;

/// <summary>Checks a <c>plugins</c> object the way APISIX's Admin API does, with its messages.</summary>
internal static class PluginConfigChecker
{
    /// <param name="plugins">The <c>plugins</c> value (an object after the resource schema).</param>
    /// <param name="schemaOf">A plugin's own schema, or null when the plugin is unknown or not enabled.</param>
    /// <param name="checkVars">Optional lua-resty-expr check for <c>_meta.filter</c>; returns a full message or null.</param>
    /// <param name="checkConfig">Optional plugin checks beyond the schema (name, config); returns the text after <c>err: </c> or null.</param>
    public static string? Check(
        JsonNode? plugins,
        Func<string, JsonObject?> schemaOf,
        Func<JsonArray, string?>? checkVars = null,
        Func<string, JsonObject, string?>? checkConfig = null)
    {
        if (plugins is not JsonObject configs) return null;

        foreach (var (name, config) in configs)
        {
            var error = CheckOne(name, config, schemaOf, checkVars, checkConfig);
            if (error is not null) return error;
        }

        return null;
    }

    private static string? CheckOne(
        string name,
        JsonNode? config,
        Func<string, JsonObject?> schemaOf,
        Func<JsonArray, string?>? checkVars,
        Func<string, JsonObject, string?>? checkConfig)
    {
        // The shape check comes before the name check in APISIX.
        if (config is not (JsonObject or JsonArray))
        {
            return $"invalid plugin conf {LuaText.CjsonScalar(config)} for plugin [{name}]";
        }

        var schema = schemaOf(name);
        if (schema is null) return UnknownPlugin(name);

        var error = JsonSchemaValidator.Validate(PluginSchemaMeta.WithMeta(schema), config);
        // A plugin switched off with _meta.disable never runs, so APISIX accepts it even when its
        // config is bad (e.g. it depends on something this node lacks).
        if (!IsDisabled(config))
        {
            error ??= ResourceLimits.CheckPlugin(config)
                ?? (checkConfig is not null && config is JsonObject obj ? checkConfig(name, obj) : null);
            if (error is not null) return $"failed to check the configuration of plugin {name} err: {error}";
        }

        if (checkVars is not null && config is JsonObject withMeta && withMeta["_meta"] is JsonObject meta && meta["filter"] is JsonArray filter)
        {
            return checkVars(filter);
        }

        return null;
    }

    /// <summary>
    /// APISIX's <c>unknown plugin [name]</c>; for one of APISIX's plugins that this node does not
    /// have, it goes on to say so, so a user moving from APISIX knows it is not a typo.
    /// </summary>
    public static string UnknownPlugin(string name) => ApisixPluginCatalog.IsNotBuiltHere(name)
        ? $"unknown plugin [{name}]: {name} is an APISIX plugin that is not available in MirrorGate; see docs/from-apisix.md for the plugins it has"
        : $"unknown plugin [{name}]";

    private static bool IsDisabled(JsonNode config) =>
        config is JsonObject obj && obj["_meta"] is JsonObject meta && JsonNodes.IsTrue(meta["disable"]);
}

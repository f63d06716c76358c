using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// What resource validation needs from the rest of the gateway, passed in so validation stays
/// a pure function: the store (do referenced ids exist), the router (is a <c>vars</c>
/// expression valid) and the plugin registry (is a plugin enabled, and its schema).
/// </summary>
internal sealed class ValidationHooks
{
    public ValidationHooks(
        Func<ResourceKind, string, bool> exists,
        Func<JsonArray, string?> checkVars,
        Func<string, JsonObject?> pluginSchema,
        Func<string, JsonObject, string?>? pluginCheck = null)
    {
        Exists = exists;
        CheckVars = checkVars;
        PluginSchema = pluginSchema;
        PluginCheck = pluginCheck;
    }

    /// <summary>Whether a resource of that kind and id (as text) is stored.</summary>
    public Func<ResourceKind, string, bool> Exists { get; }

    /// <summary>Null when valid, else the full message, e.g. <c>failed to validate the 'vars' expression: invalid operator '='</c>.</summary>
    public Func<JsonArray, string?> CheckVars { get; }

    /// <summary>The plugin's own schema (without <c>_meta</c>); null when unknown or not enabled.</summary>
    public Func<string, JsonObject?> PluginSchema { get; }

    /// <summary>A plugin's own checks after its schema passed (name, config): null when valid, else the text after <c>err: </c>.</summary>
    public Func<string, JsonObject, string?>? PluginCheck { get; }

    /// <summary>A plugin's schema on a consumer (an auth plugin's consumer schema); <see cref="PluginSchema"/> when not given.</summary>
    public Func<string, JsonObject?>? ConsumerPluginSchema { get; init; }

    /// <summary>A plugin's own checks on a consumer; <see cref="PluginCheck"/> when not given.</summary>
    public Func<string, JsonObject, string?>? ConsumerPluginCheck { get; init; }

    /// <summary>Whether a plugin authenticates (a credential may hold only such plugins); unchecked when not given.</summary>
    public Func<string, bool>? IsAuthPlugin { get; init; }
}

using System.Text.Json.Nodes;

namespace MirrorGate.Pipeline;

/// <summary>
/// A plugin as the registry knows it: APISIX's name and priority, the JSON schema the Admin API
/// validates against and serves, and a factory that compiles one validated config into a handler
/// for a route's chain. One implementation per folder under <c>Plugins/</c>.
/// </summary>
internal interface IGatewayPlugin
{
    /// <summary>APISIX's kebab-case name, e.g. <c>proxy-mirror</c>.</summary>
    string Name { get; }

    /// <summary>APISIX's priority; higher runs first.</summary>
    int Priority { get; }

    /// <summary>The plugin's JSON schema (without APISIX's injected <c>_meta</c>; the registry adds it).</summary>
    JsonObject Schema { get; }

    /// <summary>
    /// What the schema cannot say (APISIX's <c>check_schema</c> beyond the schema): run on a config
    /// that passed <see cref="Schema"/>, when it is saved and again when a snapshot is built.
    /// Returns null when the config can be compiled, else the problem, which the caller prefixes
    /// with <c>failed to check the configuration of plugin &lt;name&gt; err: </c>.
    /// </summary>
    string? Check(JsonObject config) => null;

    /// <summary>
    /// Compiles a config that already passed <see cref="Schema"/> into the handler that runs per
    /// request. Called when a snapshot is built, never on the request path.
    /// </summary>
    PluginHandler CreateHandler(JsonObject config, PluginBuildContext context);
}

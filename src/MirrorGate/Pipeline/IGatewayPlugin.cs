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
    /// The checks beyond <see cref="Schema"/>, as APISIX's <c>check_schema</c> makes them: what the
    /// schema lets through but <see cref="CreateHandler"/> could not take (a port past 65535, say),
    /// so the Admin API refuses it instead of storing a config the node would skip. Called only
    /// after the schema passed. Null when valid, else the message that follows APISIX's
    /// <c>failed to check the configuration of plugin &lt;name&gt; err: </c>.
    /// </summary>
    string? CheckConfig(JsonObject config);

    /// <summary>
    /// Compiles a config that already passed <see cref="Schema"/> into the handler that runs per
    /// request. Called when a snapshot is built, never on the request path.
    /// </summary>
    PluginHandler CreateHandler(JsonObject config, PluginBuildContext context);
}

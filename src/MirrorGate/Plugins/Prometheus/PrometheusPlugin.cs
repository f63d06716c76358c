using System.Text.Json.Nodes;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.Prometheus;

/// <summary>
/// APISIX's <c>prometheus</c>: the requests of a route (or of every route of a service) are
/// recorded in <c>apisix_http_status</c>, <c>apisix_http_latency</c> and <c>apisix_bandwidth</c>;
/// <c>prefer_name</c> labels them with the route's and service's names instead of their ids.
/// Priority 500, as APISIX. The node series (connections, node info, upstream health) and the
/// export listener (<c>plugin_attr.prometheus</c>) do not depend on it.
/// </summary>
internal sealed class PrometheusPlugin : IGatewayPlugin
{
    public const string PluginName = "prometheus";

    public string Name => PluginName;

    public int Priority => 500;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the prometheus schema is missing from the assembly");

    public string? CheckConfig(JsonObject config) => null;

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
        => config["prefer_name"]?.GetValue<bool>() == true ? PrometheusHandler.ByNames : PrometheusHandler.ByIds;
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Mirroring;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// APISIX's <c>proxy-mirror</c>: copies all or a sampled share of a route's requests to another
/// host and ignores the answers. Priority 1010, as APISIX.
/// </summary>
internal sealed class ProxyMirrorPlugin : IGatewayPlugin
{
    public const string PluginName = "proxy-mirror";

    public string Name => PluginName;

    public int Priority => 1010;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the proxy-mirror schema is missing from the assembly");

    public string? CheckConfig(JsonObject config) => ProxyMirrorConfigCheck.Check(config);

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var typed = ProxyMirrorConfig.FromJson(config);
        var runtime = context.Services.GetRequiredService<MirrorRuntime>();
        return new ProxyMirrorHandler(typed, runtime, new MirrorTargetMetrics(runtime.Metrics, context.RouteId, typed.Host));
    }
}

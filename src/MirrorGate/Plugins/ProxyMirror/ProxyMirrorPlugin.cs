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
internal sealed class ProxyMirrorPlugin(ReservedListeners reserved) : IGatewayPlugin
{
    public const string PluginName = "proxy-mirror";

    public string Name => PluginName;

    public int Priority => 1010;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the proxy-mirror schema is missing from the assembly");

    /// <summary>
    /// Refuses what the schema's patterns let through but no copy could be sent to or with: a
    /// host .NET cannot connect to (port beyond 65535, empty labels, malformed IPv6, numeric
    /// spellings other than a dotted quad), a host that reaches this node's Admin API or metrics
    /// listener, and a path with control characters (a request line cannot carry CR, LF or NUL,
    /// and the schema's <c>[^?&amp;]</c> lets every control through).
    /// </summary>
    public string? CheckConfig(JsonObject config)
    {
        var host = config["host"]!.GetValue<string>();
        if (!MirrorOrigin.TryParse(host, out var origin, out var problem))
        {
            return $"property \"host\" validation failed: \"{host}\": {problem}";
        }

        if (reserved.Reached(origin!) is { } listener)
        {
            return $"property \"host\" validation failed: \"{host}\" reaches this node's {listener.Name} listener ({listener.ConfigKey} {listener.Address}:{listener.Port}); "
                + "mirror copies carry the client's headers and may not be sent to the node's Admin API or metrics listeners";
        }

        if (config["path"]?.GetValue<string>() is { } path && path.Any(char.IsControl))
        {
            return "property \"path\" validation failed: a request line cannot carry control characters";
        }

        return null;
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var typed = ProxyMirrorConfig.FromJson(config);
        var runtime = context.Services.GetRequiredService<MirrorRuntime>();
        return new ProxyMirrorHandler(typed, runtime, new MirrorTargetMetrics(runtime.Metrics, context.RouteId, typed.Host));
    }
}

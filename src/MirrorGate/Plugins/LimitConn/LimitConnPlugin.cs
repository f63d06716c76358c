using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.Limiting;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.LimitConn;

/// <summary>
/// APISIX's <c>limit-conn</c> with its <c>local</c> policy: at most <c>conn</c> requests in flight
/// per key, <c>burst</c> more delayed, counted per node from the access phase to the log phase.
/// Priority 1003, as APISIX.
/// </summary>
internal sealed class LimitConnPlugin : IGatewayPlugin
{
    public const string PluginName = "limit-conn";

    private ConnectionCounters? _counters;

    public string Name => PluginName;

    public int Priority => 1003;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the limit-conn schema is missing from the assembly");

    public string? CheckConfig(JsonObject config)
    {
        if (config["policy"]?.GetValue<string>() is { } policy && policy != "local")
        {
            return "policy \"" + policy + "\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client";
        }

        if (config["rules"] is not null)
        {
            return "\"rules\" is not supported yet: use conn, burst and key";
        }

        return IsText(config["conn"]) || IsText(config["burst"])
            ? "conn and burst as variables are not supported yet: use integers"
            : null;
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var time = context.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        // One store per node (this plugin instance is the node's), made with the node's clock on first use.
        var counters = Volatile.Read(ref _counters)
            ?? Interlocked.CompareExchange(ref _counters, new ConnectionCounters(time), null)
            ?? _counters!;
        return new LimitConnHandler(
            counters,
            time,
            LimitScope.For(context.RouteId, config, group: null),
            LimitKey.Compile(config["key"]!.GetValue<string>(), config["key_type"]?.GetValue<string>() ?? "var"),
            config["conn"]!.GetValue<long>(),
            config["burst"]!.GetValue<long>(),
            // APISIX builds its limiter anew per request, so the latency-adapted delay never carries over: the delay is always the default.
            TimeSpan.FromSeconds(config["default_conn_delay"]!.GetValue<double>()),
            config["rejected_code"]?.GetValue<int>() ?? 503,
            LimitRejection.Body(config["rejected_msg"]?.GetValue<string>()));
    }

    private static bool IsText(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String;
}

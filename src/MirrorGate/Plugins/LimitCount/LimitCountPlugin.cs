using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.Limiting;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.LimitCount;

/// <summary>
/// APISIX's <c>limit-count</c> with its <c>local</c> policy: at most <c>count</c> requests per key
/// in a fixed window of <c>time_window</c> seconds, counted per node. Priority 1002, as APISIX.
/// </summary>
/// <param name="clock">The clock of the group-config memory (APISIX's one-hour plugin lrucache); the counters use the node's TimeProvider.</param>
internal sealed class LimitCountPlugin(TimeProvider? clock = null) : IGatewayPlugin
{
    public const string PluginName = "limit-count";

    private readonly GroupConfigs _groups = new(clock ?? TimeProvider.System);
    private FixedWindowCounters? _counters;

    public string Name => PluginName;

    public int Priority => 1002;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the limit-count schema is missing from the assembly");

    public string? CheckConfig(JsonObject config)
    {
        // APISIX's own checks first, with its texts.
        if (config["rules"] is not null && config["group"] is not null)
        {
            return "group and rules cannot be specified at the same time";
        }

        if (config["policy"]?.GetValue<string>() is { } policy && policy != "local")
        {
            return "policy \"" + policy + "\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client";
        }

        if (config["rules"] is not null)
        {
            return "\"rules\" is not supported yet: use count and time_window";
        }

        if (config["window_type"]?.GetValue<string>() is "sliding")
        {
            return "window_type \"sliding\" is not supported yet: use \"fixed\"";
        }

        if (config["count"] is JsonValue count && count.GetValueKind() == System.Text.Json.JsonValueKind.String
            || config["time_window"] is JsonValue window && window.GetValueKind() == System.Text.Json.JsonValueKind.String)
        {
            return "count and time_window as variables are not supported yet: use integers";
        }

        return config["group"]?.GetValue<string>() is { } group && !_groups.Matches(group, config, Schema)
            ? "group conf mismatched"
            : null;
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var counters = Volatile.Read(ref _counters)
            ?? Interlocked.CompareExchange(ref _counters, new FixedWindowCounters(context.Services.GetService<TimeProvider>() ?? TimeProvider.System), null)
            ?? _counters!;
        var group = config["group"]?.GetValue<string>();
        return new LimitCountHandler(
            counters,
            LimitScope.For(context.RouteId, config, group),
            LimitKey.Compile(config["key"]?.GetValue<string>() ?? "remote_addr", config["key_type"]?.GetValue<string>() ?? "var"),
            config["count"]!.GetValue<long>(),
            TimeSpan.FromSeconds(config["time_window"]!.GetValue<long>()),
            config["rejected_code"]?.GetValue<int>() ?? 503,
            LimitRejection.Body(config["rejected_msg"]?.GetValue<string>()),
            config["show_limit_quota_header"]?.GetValue<bool>() ?? true);
    }
}

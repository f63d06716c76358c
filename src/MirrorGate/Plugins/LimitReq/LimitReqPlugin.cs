using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.Limiting;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.LimitReq;

/// <summary>
/// APISIX's <c>limit-req</c> with its <c>local</c> policy: a leaky bucket per key of <c>rate</c>
/// requests per second with <c>burst</c> requests of slack, counted per node. Priority 1001, as APISIX.
/// </summary>
internal sealed class LimitReqPlugin : IGatewayPlugin
{
    public const string PluginName = "limit-req";

    private LeakyBuckets? _buckets;

    public string Name => PluginName;

    public int Priority => 1001;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the limit-req schema is missing from the assembly");

    public string? CheckConfig(JsonObject config)
        => config["policy"]?.GetValue<string>() is { } policy && policy != "local"
            ? "policy \"" + policy + "\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client"
            : null;

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var time = context.Services.GetService<TimeProvider>() ?? TimeProvider.System;
        var buckets = Volatile.Read(ref _buckets)
            ?? Interlocked.CompareExchange(ref _buckets, new LeakyBuckets(time), null)
            ?? _buckets!;
        return new LimitReqHandler(
            buckets,
            time,
            LimitScope.For(context.RouteId, config, group: null),
            LimitKey.Compile(config["key"]!.GetValue<string>(), config["key_type"]?.GetValue<string>() ?? "var"),
            config["rate"]!.GetValue<double>(),
            config["burst"]!.GetValue<double>(),
            config["nodelay"]?.GetValue<bool>() ?? false,
            config["rejected_code"]?.GetValue<int>() ?? 503,
            LimitRejection.Body(config["rejected_msg"]?.GetValue<string>()));
    }
}

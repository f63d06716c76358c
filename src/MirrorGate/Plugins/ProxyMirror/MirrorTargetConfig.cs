using System.Text.Json.Nodes;
using MirrorGate.Balancing;
using MirrorGate.Mirroring;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// One mirror target of a route, typed, with defaults and the plugin-level filters
/// (<c>sample_key</c>, <c>methods</c>, <c>vars</c>, <c>headers</c>) it inherits already applied.
/// </summary>
internal sealed class MirrorTargetConfig
{
    /// <summary>The target's name: <c>name</c>, or the <c>host</c> as configured; the metrics' target label.</summary>
    public required string Name { get; init; }

    /// <summary>The <c>host</c> as configured, e.g. <c>http://127.0.0.1:1986</c>.</summary>
    public required string Host { get; init; }

    /// <summary>The <c>host</c> parsed once: scheme, host and port the copies go to.</summary>
    public required MirrorOrigin Origin { get; init; }

    /// <summary>The scheme and authority requests are sent to: grpc becomes http (h2c), grpcs becomes https.</summary>
    public string BaseUri => Origin.BaseUri;

    public bool IsGrpc => Origin.IsGrpc;

    public string? Path { get; init; }

    public PathConcatMode Mode { get; init; }

    /// <summary>Share of requests mirrored, 0.00001 to 1 (default 1: all).</summary>
    public double SampleRatio { get; init; } = 1;

    /// <summary>The variable whose value decides sampling consistently; null for random sampling.</summary>
    public string? SampleKey { get; init; }

    /// <summary>Methods mirrored (upper case); null for all.</summary>
    public string[]? Methods { get; init; }

    /// <summary>The <c>vars</c> expression a request must match to be mirrored; null for all.</summary>
    public VarsExpression? Vars { get; init; }

    public MirrorHeaderEdits? Headers { get; init; }

    /// <summary>The target's own timeouts, or null for the node's.</summary>
    public MirrorTimeouts? Timeouts { get; init; }

    /// <summary>The target's own queue budget (<c>queue_size</c>), or null for only the node's queue.</summary>
    public int? QueueSize { get; init; }

    /// <summary>The kill switch (<c>max_failure_ratio</c> and friends), or null when off.</summary>
    public MirrorKillSwitchOptions? KillSwitch { get; init; }

    /// <summary>The <c>compare</c> object as configured (schema-checked), or null; its meaning belongs to the comparison.</summary>
    public JsonObject? Compare { get; init; }

    public MirrorSampler CreateSampler() => new(SampleRatio, SampleKey is null ? null : RequestVariable.Parse(SampleKey));

    /// <summary>
    /// Reads one target: <paramref name="target"/> holds its own attributes, <paramref name="plugin"/>
    /// the plugin-level filters it falls back to (the same object in the classic form).
    /// </summary>
    public static MirrorTargetConfig FromJson(JsonObject target, JsonObject plugin)
    {
        var host = target["host"]!.GetValue<string>();
        if (!MirrorOrigin.TryParse(host, out var origin, out var error))
        {
            throw new InvalidOperationException($"proxy-mirror host \"{host}\" was not checked before compiling: {error}");
        }

        var vars = (target["vars"] ?? plugin["vars"]) as JsonArray;
        return new MirrorTargetConfig
        {
            Name = target["name"]?.GetValue<string>() ?? host,
            Host = host,
            Origin = origin!,
            Path = target["path"]?.GetValue<string>(),
            Mode = target["path_concat_mode"]?.GetValue<string>() == "prefix" ? PathConcatMode.Prefix : PathConcatMode.Replace,
            SampleRatio = target["sample_ratio"]?.GetValue<double>() ?? 1.0,
            SampleKey = (target["sample_key"] ?? plugin["sample_key"])?.GetValue<string>(),
            Methods = ((target["methods"] ?? plugin["methods"]) as JsonArray)?.Select(m => m!.GetValue<string>()).ToArray(),
            Vars = vars is { Count: > 0 } ? VarsExpression.Compile(vars) : null,
            Headers = MirrorHeaderEdits.FromJson((target["headers"] ?? plugin["headers"]) as JsonObject),
            Timeouts = target["timeout"] is JsonObject timeout ? ReadTimeouts(timeout) : null,
            QueueSize = target["queue_size"]?.GetValue<int>(),
            KillSwitch = target["max_failure_ratio"] is { } ratio
                ? new MirrorKillSwitchOptions(
                    ratio.GetValue<double>(),
                    Seconds(target["failure_window"]) ?? MirrorKillSwitchOptions.DefaultWindow,
                    target["min_copies"]?.GetValue<int>() ?? MirrorKillSwitchOptions.DefaultMinCopies,
                    Seconds(target["cool_down"]) ?? MirrorKillSwitchOptions.DefaultCoolDown)
                : null,
            Compare = target["compare"] as JsonObject,
        };
    }

    private static MirrorTimeouts? ReadTimeouts(JsonObject timeout)
    {
        var connect = Seconds(timeout["connect"]);
        var send = Seconds(timeout["send"]);
        var read = Seconds(timeout["read"]);
        return connect is null && send is null && read is null ? null : new MirrorTimeouts(connect, send, read);
    }

    private static TimeSpan? Seconds(JsonNode? node) => node is null ? null : TimeSpan.FromSeconds(node.GetValue<double>());

    /// <summary>
    /// The path and query the mirror receives, as APISIX builds it: the upstream URI (or the
    /// request path with its percent-encoding and the original query), then <c>path</c> in
    /// replace or prefix mode. gRPC mirrors take the request path only.
    /// </summary>
    public string BuildPathAndQuery(string requestPath, string query, string? upstreamUri)
    {
        if (IsGrpc)
        {
            var uri = upstreamUri ?? requestPath;
            var q = uri.IndexOf('?');
            return q < 0 ? uri : uri[..q];
        }

        var current = upstreamUri ?? requestPath + query;
        if (Path is null)
        {
            return current;
        }

        return Mode == PathConcatMode.Prefix ? Path + current : Path + query;
    }
}

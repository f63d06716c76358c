using System.Collections.Frozen;
using System.Text.Json.Nodes;
using MirrorGate.Resources;

namespace MirrorGate.Balancing;

/// <summary>
/// APISIX's upstream <c>checks</c>, read once with APISIX's schema defaults filled in
/// (<c>apisix/schema_def.lua</c>, <c>health_checker_active</c> / <c>health_checker_passive</c>).
/// </summary>
internal sealed class HealthCheckSettings
{
    public required ActiveHealthCheckSettings? Active { get; init; }

    public required PassiveHealthCheckSettings? Passive { get; init; }

    public static HealthCheckSettings? From(JsonObject upstream) => upstream["checks"] is JsonObject checks
        ? new HealthCheckSettings
        {
            Active = checks["active"] is JsonObject active ? ActiveHealthCheckSettings.From(active) : null,
            Passive = checks["passive"] is JsonObject passive ? PassiveHealthCheckSettings.From(passive) : null,
        }
        : null;

    internal static FrozenSet<int> Statuses(JsonNode? node, int[] defaults) =>
        (node is JsonArray array ? array.Select(s => JsonInteger.ToInt32(s!)) : defaults).ToFrozenSet();

    /// <summary>How many outcomes of a kind in a row flip a node, by APISIX's four counters (active and passive alike).</summary>
    public static int Threshold(HealthOutcome outcome, int successes, int httpFailures, int tcpFailures, int timeouts) => outcome switch
    {
        HealthOutcome.Success => successes,
        HealthOutcome.HttpFailure => httpFailures,
        HealthOutcome.TcpFailure => tcpFailures,
        HealthOutcome.Timeout => timeouts,
        _ => 0,
    };

    internal static int Int(JsonNode? node, int defaultValue) => JsonInteger.ToInt32OrNull(node) ?? defaultValue;
}

internal enum ActiveProbeType
{
    Http,
    Https,
    Tcp,
}

internal sealed class ActiveHealthCheckSettings
{
    public ActiveProbeType Type { get; init; } = ActiveProbeType.Http;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(1);

    public int Concurrency { get; init; } = 10;

    /// <summary>Host header (and TLS server name) of the probe; null sends the node's host.</summary>
    public string? Host { get; init; }

    /// <summary>Probe port for every node; null probes each node's own port.</summary>
    public int? Port { get; init; }

    public string HttpMethod { get; init; } = "GET";

    public string HttpPath { get; init; } = "/";

    public string HttpRequestBody { get; init; } = "";

    public bool HttpsVerifyCertificate { get; init; } = true;

    /// <summary><c>req_headers</c> entries, each <c>"Name: value"</c>.</summary>
    public IReadOnlyList<string> RequestHeaders { get; init; } = [];

    public TimeSpan HealthyInterval { get; init; } = TimeSpan.FromSeconds(1);

    public FrozenSet<int> HealthyStatuses { get; init; } = DefaultHealthyStatuses.ToFrozenSet();

    public int HealthySuccesses { get; init; } = 2;

    public TimeSpan UnhealthyInterval { get; init; } = TimeSpan.FromSeconds(1);

    public FrozenSet<int> UnhealthyStatuses { get; init; } = DefaultUnhealthyStatuses.ToFrozenSet();

    public int HttpFailures { get; init; } = 5;

    public int TcpFailures { get; init; } = 2;

    public int Timeouts { get; init; } = 3;

    private static readonly int[] DefaultHealthyStatuses = [200, 302];
    private static readonly int[] DefaultUnhealthyStatuses = [429, 404, 500, 501, 502, 503, 504, 505];

    public static ActiveHealthCheckSettings From(JsonObject active)
    {
        var healthy = active["healthy"] as JsonObject;
        var unhealthy = active["unhealthy"] as JsonObject;
        return new ActiveHealthCheckSettings
        {
            Type = active["type"]?.GetValue<string>() switch
            {
                "https" => ActiveProbeType.Https,
                "tcp" => ActiveProbeType.Tcp,
                _ => ActiveProbeType.Http,
            },
            Timeout = TimeSpan.FromSeconds(active["timeout"]?.GetValue<double>() ?? 1),
            Concurrency = Math.Max(1, HealthCheckSettings.Int(active["concurrency"], 10)),
            Host = active["host"]?.GetValue<string>(),
            Port = JsonInteger.ToInt32OrNull(active["port"]),
            HttpMethod = active["http_method"]?.GetValue<string>() ?? "GET",
            HttpPath = active["http_path"]?.GetValue<string>() ?? "/",
            HttpRequestBody = active["http_req_body"]?.GetValue<string>() ?? "",
            HttpsVerifyCertificate = active["https_verify_certificate"]?.GetValue<bool>() ?? true,
            RequestHeaders = active["req_headers"] is JsonArray headers ? headers.Select(h => h!.GetValue<string>()).ToArray() : [],
            HealthyInterval = TimeSpan.FromSeconds(HealthCheckSettings.Int(healthy?["interval"], 1)),
            HealthyStatuses = HealthCheckSettings.Statuses(healthy?["http_statuses"], DefaultHealthyStatuses),
            HealthySuccesses = HealthCheckSettings.Int(healthy?["successes"], 2),
            UnhealthyInterval = TimeSpan.FromSeconds(HealthCheckSettings.Int(unhealthy?["interval"], 1)),
            UnhealthyStatuses = HealthCheckSettings.Statuses(unhealthy?["http_statuses"], DefaultUnhealthyStatuses),
            HttpFailures = HealthCheckSettings.Int(unhealthy?["http_failures"], 5),
            TcpFailures = HealthCheckSettings.Int(unhealthy?["tcp_failures"], 2),
            Timeouts = HealthCheckSettings.Int(unhealthy?["timeouts"], 3),
        };
    }

    public int ThresholdFor(HealthOutcome outcome) => HealthCheckSettings.Threshold(outcome, HealthySuccesses, HttpFailures, TcpFailures, Timeouts);

    public HealthOutcome Classify(int statusCode) =>
        HealthyStatuses.Contains(statusCode) ? HealthOutcome.Success
        : UnhealthyStatuses.Contains(statusCode) ? HealthOutcome.HttpFailure
        : HealthOutcome.Ignored;
}

internal sealed class PassiveHealthCheckSettings
{
    public FrozenSet<int> HealthyStatuses { get; init; } = DefaultHealthyStatuses.ToFrozenSet();

    /// <summary>0 disables: a passive-only unhealthy node then never comes back (APISIX documents this).</summary>
    public int HealthySuccesses { get; init; } = 5;

    public FrozenSet<int> UnhealthyStatuses { get; init; } = DefaultUnhealthyStatuses.ToFrozenSet();

    public int HttpFailures { get; init; } = 5;

    public int TcpFailures { get; init; } = 2;

    public int Timeouts { get; init; } = 7;

    private static readonly int[] DefaultHealthyStatuses =
        [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308];

    private static readonly int[] DefaultUnhealthyStatuses = [429, 500, 503];

    public static PassiveHealthCheckSettings From(JsonObject passive)
    {
        var healthy = passive["healthy"] as JsonObject;
        var unhealthy = passive["unhealthy"] as JsonObject;
        return new PassiveHealthCheckSettings
        {
            HealthyStatuses = HealthCheckSettings.Statuses(healthy?["http_statuses"], DefaultHealthyStatuses),
            HealthySuccesses = HealthCheckSettings.Int(healthy?["successes"], 5),
            UnhealthyStatuses = HealthCheckSettings.Statuses(unhealthy?["http_statuses"], DefaultUnhealthyStatuses),
            HttpFailures = HealthCheckSettings.Int(unhealthy?["http_failures"], 5),
            TcpFailures = HealthCheckSettings.Int(unhealthy?["tcp_failures"], 2),
            Timeouts = HealthCheckSettings.Int(unhealthy?["timeouts"], 7),
        };
    }

    public int ThresholdFor(HealthOutcome outcome) => HealthCheckSettings.Threshold(outcome, HealthySuccesses, HttpFailures, TcpFailures, Timeouts);

    /// <summary>Status of a proxied attempt: 0 = connection failed, -1 = timed out (see <see cref="ILoadBalancer.OnCompleted"/>).</summary>
    public HealthOutcome Classify(int statusCode) => statusCode switch
    {
        0 => HealthOutcome.TcpFailure,
        -1 => HealthOutcome.Timeout,
        _ when UnhealthyStatuses.Contains(statusCode) => HealthOutcome.HttpFailure,
        _ when HealthyStatuses.Contains(statusCode) => HealthOutcome.Success,
        _ => HealthOutcome.Ignored,
    };
}

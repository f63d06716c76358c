namespace MirrorGate.FunctionalTests.Observability;

/// <summary>
/// APISIX's definitions, copied from <c>apisix/plugins/prometheus/exporter.lua</c> (apache/apisix
/// master, <c>_M.http_init</c> and <c>metric_label_map</c>): name (with the default
/// <c>apisix_</c> prefix), type, help text and label names in order. The AI labels APISIX appended
/// to the http families in 3.13+ (<c>request_type</c>, <c>request_llm_model</c>, <c>llm_model</c>,
/// <c>response_source</c>) are left out on purpose (docs/observability.md#metrics says why).
/// </summary>
internal static class ApisixMetricSpec
{
    /// <summary>exporter.lua's <c>DEFAULT_BUCKETS</c>, milliseconds, as nginx-lua-prometheus prints them in <c>le</c>.</summary>
    public static readonly string[] DefaultLatencyLe =
        ["1", "2", "5", "10", "20", "50", "100", "200", "500", "1000", "2000", "5000", "10000", "30000", "60000", "+Inf"];

    public static readonly Family[] Families =
    [
        new("apisix_nginx_http_current_connections", "gauge", "Number of HTTP connections", ["state"]),
        new("apisix_http_requests_total", "gauge", "The total number of client requests since APISIX started", []),
        new("apisix_etcd_reachable", "gauge", "Config server etcd reachable from APISIX, 0 is unreachable", []),
        new("apisix_node_info", "gauge", "Info of APISIX node", ["hostname", "version"]),
        new("apisix_upstream_status", "gauge", "Upstream status from health check", ["name", "ip", "port"]),
        new("apisix_http_status", "counter", "HTTP status codes per service in APISIX",
            ["code", "route", "matched_uri", "matched_host", "service", "consumer", "node"]),
        new("apisix_http_latency", "histogram", "HTTP request latency in milliseconds per service in APISIX",
            ["type", "route", "service", "consumer", "node"]),
        new("apisix_bandwidth", "counter", "Total bandwidth in bytes consumed per service in APISIX",
            ["type", "route", "service", "consumer", "node"]),
    ];

    /// <summary>nginx stub_status states exporter.lua maps to <c>nginx_http_current_connections</c> (<c>total</c> goes to http_requests_total).</summary>
    public static readonly string[] ConnectionStates = ["accepted", "active", "handled", "reading", "waiting", "writing"];

    public static Family Get(string name) => Families.Single(f => f.Name == name);

    internal sealed record Family(string Name, string Type, string Help, string[] Labels);
}

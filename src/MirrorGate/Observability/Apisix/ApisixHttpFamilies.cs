namespace MirrorGate.Observability.Apisix;

/// <summary>
/// The three per-request families of APISIX's <c>http_log</c>, with the names, help texts and
/// label names of <c>apisix/plugins/prometheus/exporter.lua</c> (the label set before APISIX
/// added its AI labels; see docs/observability.md#metrics).
/// </summary>
internal sealed class ApisixHttpFamilies
{
    public static readonly string[] StatusLabels = ["code", "route", "matched_uri", "matched_host", "service", "consumer", "node"];
    public static readonly string[] LatencyLabels = ["type", "route", "service", "consumer", "node"];
    public static readonly string[] BandwidthLabels = ["type", "route", "service", "consumer", "node"];

    public ApisixHttpFamilies(ApisixMetricsSettings settings)
    {
        var prefix = settings.MetricPrefix;
        Status = new ApisixCounterFamily(prefix + "http_status", "HTTP status codes per service in APISIX");
        Latency = new ApisixHistogramFamily(prefix + "http_latency", "HTTP request latency in milliseconds per service in APISIX", settings.LatencyBuckets);
        Bandwidth = new ApisixCounterFamily(prefix + "bandwidth", "Total bandwidth in bytes consumed per service in APISIX");
    }

    public ApisixCounterFamily Status { get; }

    public ApisixHistogramFamily Latency { get; }

    public ApisixCounterFamily Bandwidth { get; }
}

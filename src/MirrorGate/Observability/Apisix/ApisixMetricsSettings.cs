using System.Text.Json;
using System.Text.Json.Nodes;
using MirrorGate.Configuration;

namespace MirrorGate.Observability.Apisix;

/// <summary>
/// The <c>plugin_attr.prometheus</c> keys that shape APISIX's series: <c>metric_prefix</c> (default
/// <c>apisix_</c>) and <c>default_buckets</c> (the <c>http_latency</c> bounds in milliseconds,
/// default APISIX's <c>DEFAULT_BUCKETS</c>). Read once at start-up, as APISIX reads them in
/// <c>init_worker</c>.
/// </summary>
internal sealed record ApisixMetricsSettings(string MetricPrefix, double[] LatencyBuckets)
{
    public const string DefaultMetricPrefix = "apisix_";

    /// <summary>APISIX's <c>DEFAULT_BUCKETS</c> in <c>apisix/plugins/prometheus/exporter.lua</c>: 1 ms to 60 s.</summary>
    public static IReadOnlyList<double> DefaultLatencyBuckets { get; } =
        [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000];

    public static ApisixMetricsSettings Default { get; } = new(DefaultMetricPrefix, [.. DefaultLatencyBuckets]);

    public static ApisixMetricsSettings From(NodeConfig config) => From(config.GetPluginAttr("prometheus"), config.Source);

    public static ApisixMetricsSettings From(JsonObject? prometheus, string source)
    {
        if (prometheus is null)
        {
            return Default;
        }

        var prefix = DefaultMetricPrefix;
        if (prometheus["metric_prefix"] is { } prefixNode)
        {
            if (prefixNode.GetValueKind() != JsonValueKind.String || !IsMetricName(prefixNode.GetValue<string>()))
            {
                throw new ConfigException(source, "plugin_attr.prometheus.metric_prefix",
                    $"expected a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*), got {prefixNode.ToJsonString()}");
            }

            prefix = prefixNode.GetValue<string>();
        }

        double[] buckets = [.. DefaultLatencyBuckets];
        if (prometheus["default_buckets"] is { } bucketsNode)
        {
            buckets = ReadBuckets(bucketsNode, source);
        }

        return new ApisixMetricsSettings(prefix, buckets);
    }

    /// <summary>The most <c>default_buckets</c> bounds accepted (APISIX's default has 15).</summary>
    public const int MaxBuckets = 64;

    private static double[] ReadBuckets(JsonNode node, string source)
    {
        const string Key = "plugin_attr.prometheus.default_buckets";
        // Every bound is a series per label set: a long list multiplies the scrape and the memory.
        if (node is JsonArray { Count: > MaxBuckets } tooMany)
        {
            throw new ConfigException(source, Key, $"expected at most {MaxBuckets} bounds, got {tooMany.Count}");
        }

        if (node is not JsonArray array || array.Count == 0)
        {
            throw new ConfigException(source, Key, $"expected a non-empty list of increasing numbers (milliseconds), got {node.ToJsonString()}");
        }

        var buckets = new double[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number
                || !double.IsFinite(buckets[i] = value.GetValue<double>()) || buckets[i] < 0
                || (i > 0 && buckets[i] <= buckets[i - 1]))
            {
                throw new ConfigException(source, Key, $"expected a non-empty list of increasing numbers (milliseconds), got {node.ToJsonString()}");
            }
        }

        return buckets;
    }

    private static bool IsMetricName(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (!(char.IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && char.IsAsciiDigit(c))))
            {
                return false;
            }
        }

        return true;
    }
}

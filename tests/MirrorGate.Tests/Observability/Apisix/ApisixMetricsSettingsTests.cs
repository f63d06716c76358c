using System.Text.Json.Nodes;
using MirrorGate.Configuration;
using MirrorGate.Observability.Apisix;

namespace MirrorGate.Tests.Observability.Apisix;

public sealed class ApisixMetricsSettingsTests
{
    [Fact]
    public void From_NoSection_ApisixDefaults()
    {
        var settings = ApisixMetricsSettings.From(null, "config.yaml");

        Assert.Equal("apisix_", settings.MetricPrefix);
        // exporter.lua's DEFAULT_BUCKETS.
        Assert.Equal([1d, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000], settings.LatencyBuckets);
    }

    [Fact]
    public void From_PrefixAndBuckets_Read()
    {
        var settings = ApisixMetricsSettings.From(
            (JsonObject)JsonNode.Parse("""{"export_addr":{"port":9091},"metric_prefix":"gw_","default_buckets":[15,55,105.5]}""")!, "config.yaml");

        Assert.Equal("gw_", settings.MetricPrefix);
        Assert.Equal([15d, 55, 105.5], settings.LatencyBuckets);
    }

    [Theory]
    [InlineData("""{"metric_prefix":"1x_"}""", "plugin_attr.prometheus.metric_prefix")]
    [InlineData("""{"metric_prefix":"a-b"}""", "plugin_attr.prometheus.metric_prefix")]
    [InlineData("""{"metric_prefix":7}""", "plugin_attr.prometheus.metric_prefix")]
    [InlineData("""{"default_buckets":[]}""", "plugin_attr.prometheus.default_buckets")]
    [InlineData("""{"default_buckets":[5,2]}""", "plugin_attr.prometheus.default_buckets")]
    [InlineData("""{"default_buckets":[1,"2"]}""", "plugin_attr.prometheus.default_buckets")]
    [InlineData("""{"default_buckets":[-1]}""", "plugin_attr.prometheus.default_buckets")]
    [InlineData("""{"default_buckets":10}""", "plugin_attr.prometheus.default_buckets")]
    public void From_BadValue_ConfigExceptionNamesTheKey(string json, string key)
    {
        var ex = Assert.Throws<ConfigException>(() => ApisixMetricsSettings.From((JsonObject)JsonNode.Parse(json)!, "config.yaml"));

        Assert.Equal(key, ex.KeyPath);
        Assert.StartsWith($"config.yaml: {key}: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_BucketsBeyondTheLimit_Refused_AtTheLimit_Accepted()
    {
        // Parsed, as config.yaml's values reach the reader.
        static JsonObject Buckets(int n) => (JsonObject)JsonNode.Parse($$"""{"default_buckets":[{{string.Join(',', Enumerable.Range(1, n))}}]}""")!;

        Assert.Equal(ApisixMetricsSettings.MaxBuckets, ApisixMetricsSettings.From(Buckets(ApisixMetricsSettings.MaxBuckets), "config.yaml").LatencyBuckets.Length);
        var ex = Assert.Throws<ConfigException>(() => ApisixMetricsSettings.From(Buckets(ApisixMetricsSettings.MaxBuckets + 1), "config.yaml"));
        Assert.Contains("at most 64 bounds, got 65", ex.Message, StringComparison.Ordinal);
    }
}

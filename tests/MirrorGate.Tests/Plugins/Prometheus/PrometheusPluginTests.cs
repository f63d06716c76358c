using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Observability.Apisix;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.Prometheus;
using MirrorGate.Snapshot;

namespace MirrorGate.Tests.Plugins.Prometheus;

public sealed class PrometheusPluginTests
{
    private static ProxyContext Context() => new(new DefaultHttpContext(), new RouteModel { Id = "1", Config = [], Plugins = PluginChain.Empty });

    private static PluginHandler Handler(JsonObject config)
        => new PrometheusPlugin().CreateHandler(config, new PluginBuildContext("1", new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance));

    [Fact]
    public void NameAndPriority_Apisix()
    {
        var plugin = new PrometheusPlugin();

        Assert.Equal("prometheus", plugin.Name);
        Assert.Equal(500, plugin.Priority);
        Assert.Equal("""{"type":"object","properties":{"prefer_name":{"type":"boolean","default":false}}}""", plugin.Schema.ToJsonString());
    }

    [Theory]
    [InlineData("{}", false)]
    [InlineData("""{"prefer_name":false}""", false)]
    [InlineData("""{"prefer_name":true}""", true)]
    public void Log_MarksTheRequest_IdsUnlessPreferName(string config, bool names)
    {
        var context = Context();
        var handler = Handler(JsonNode.Parse(config)!.AsObject());

        Assert.Equal(ApisixHttpMetricsMark.None, context.ApisixHttpMetrics);
        Assert.True(handler.HasLog);
        handler.Log(context);

        Assert.Equal(names ? ApisixHttpMetricsMark.Names : ApisixHttpMetricsMark.Ids, context.ApisixHttpMetrics);
    }

    [Fact]
    public void Log_TwoHandlersOnOneRequest_TheLastDecides()
    {
        // A global rule's log phase runs before the route's in APISIX, and the route's config wins.
        var context = Context();

        Handler(new JsonObject { ["prefer_name"] = true }).Log(context);
        Handler([]).Log(context);

        Assert.Equal(ApisixHttpMetricsMark.Ids, context.ApisixHttpMetrics);
    }

    [Fact]
    public void CheckConfig_AnythingTheSchemaPassed_Null() => Assert.Null(new PrometheusPlugin().CheckConfig(new JsonObject { ["prefer_name"] = true }));
}

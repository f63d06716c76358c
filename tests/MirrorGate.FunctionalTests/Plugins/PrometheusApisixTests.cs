using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Observability;
using MirrorGate.FunctionalTests.Proxy;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's prometheus tests (t/plugin/prometheus.t, prometheus2.t) against a real gateway,
/// upstream and mirror: APISIX's http series (<c>apisix_http_status</c>, <c>apisix_http_latency</c>,
/// <c>apisix_bandwidth</c>) record the requests of a route, or of a service's routes, that carry
/// the plugin, and no others; <c>prefer_name</c> puts the names in the labels. Each test sends its
/// last request to a recorded route and waits for it in the scrape, so what is absent then was
/// not recorded (the requests before it went over the same connection and were done first).
/// </summary>
public sealed class PrometheusApisixTests
{
    private static string Route(string uri, string plugins, RecordingServer upstream)
        => $$"""{"uri":"{{uri}}","plugins":{ {{plugins}} },"upstream":{{ProxyKit.To(upstream)}} }""";

    private static async Task PutServiceAsync(GatewayNode gateway, string id, string json)
    {
        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/services/" + id, json);
        Assert.True(put.Status is 200 or 201, put.Body);
    }

    [Fact]
    public async Task Get_RouteWithPluginAndRouteWithout_OnlyThePluginsRouteRecorded()
    {
        // TEST 2-11: route 1 carries the plugin; route 2 and a request that matches no route do not.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "prometheus":{} """, upstream));
        await gateway.PutRouteAsync("2", $$"""{"uri":"/plain","upstream":{{ProxyKit.To(upstream)}} }""");

        Assert.Equal(200, (await gateway.SendAsync("/hello")).Status);
        Assert.Equal(404, (await gateway.SendAsync("/hello1")).Status);
        Assert.Equal(200, (await gateway.SendAsync("/plain")).Status);
        Assert.Equal(404, (await gateway.SendAsync("/not_found")).Status);
        Assert.Equal(200, (await gateway.SendAsync("/hello")).Status);
        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status", ("route", "1")) >= 2);

        Assert.Equal(2, scrape.Value("apisix_http_status", ("code", "200"), ("route", "1"), ("matched_uri", "/hello"), ("matched_host", ""), ("service", ""), ("consumer", ""), ("node", "127.0.0.1")));
        Assert.True(scrape.Value("apisix_bandwidth", ("type", "egress"), ("route", "1"), ("service", ""), ("consumer", ""), ("node", "127.0.0.1")) > 0);
        Assert.Equal(2, scrape.Value("apisix_http_latency_count", ("type", "request"), ("route", "1"), ("service", ""), ("consumer", ""), ("node", "127.0.0.1")));
        foreach (var name in new[] { "apisix_http_status", "apisix_http_latency_count", "apisix_bandwidth" })
        {
            Assert.All(scrape.Find(name), s => Assert.Equal("1", s.Label("route")));
        }

        Assert.Equal(2, scrape.Sum("apisix_http_status"));
        // The node gauges count every request, as APISIX's exporter does.
        Assert.Equal(5, scrape.Value("apisix_http_requests_total"));
    }

    [Fact]
    public async Task Get_GlobalRuleWithPlugin_EveryRouteAndUnmatchedRequestsRecorded()
    {
        // APISIX's usual set-up: prometheus in a global rule. A request that matches no route is
        // counted too, with every label but code empty, as APISIX's exporter writes it.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/1", """{"plugins":{"prometheus":{}}}""");
        Assert.True(put.Status is 200 or 201, put.Body);
        await gateway.PutRouteAsync("1", $$"""{"uri":"/plain","upstream":{{ProxyKit.To(upstream)}} }""");

        Assert.Equal(404, (await gateway.SendAsync("/not_found")).Status);
        Assert.Equal(200, (await gateway.SendAsync("/plain")).Status);
        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status", ("route", "1")) >= 1);

        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", "1"), ("matched_uri", "/plain"), ("service", ""), ("consumer", ""), ("node", "127.0.0.1")));
        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "404"), ("route", ""), ("matched_uri", ""), ("matched_host", ""), ("service", ""), ("consumer", ""), ("node", "")));
        Assert.Equal(2, scrape.Sum("apisix_http_status"));
    }

    [Fact]
    public async Task Get_ServiceWithPlugin_ItsRoutesRecordedWithTheServiceLabel()
    {
        // TEST 12-15
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutServiceAsync(gateway, "1", $$"""{"plugins":{"prometheus":{} },"upstream":{{ProxyKit.To(upstream)}} }""");
        await gateway.PutRouteAsync("2", """{"service_id":1,"uri":"/hello1"}""");

        Assert.Equal(200, (await gateway.SendAsync("/hello1")).Status);
        Assert.Equal(404, (await gateway.SendAsync("/not_found")).Status);
        Assert.Equal(200, (await gateway.SendAsync("/hello1")).Status);
        Assert.Equal(200, (await gateway.SendAsync("/hello1")).Status);
        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 3);

        Assert.Equal(3, scrape.Value("apisix_http_status", ("code", "200"), ("route", "2"), ("matched_uri", "/hello1"), ("service", "1"), ("node", "127.0.0.1")));
        Assert.True(scrape.Value("apisix_bandwidth", ("type", "egress"), ("route", "2"), ("service", "1"), ("consumer", ""), ("node", "127.0.0.1")) > 0);
        Assert.Equal(3, scrape.Sum("apisix_http_status"));
    }

    [Fact]
    public async Task Get_PreferName_NamesWhereSetIdsWhereNotFollowingRenames()
    {
        // prometheus2.t TEST 38-49, then prefer_name off again.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var service = $$""" "upstream":{{ProxyKit.To(upstream)}} """;

        // Both named.
        await PutServiceAsync(gateway, "1", $$"""{"name":"service_name",{{service}} }""");
        await gateway.PutRouteAsync("1", """{"name":"route_name","service_id":1,"plugins":{"prometheus":{"prefer_name":true} },"uri":"/hello"}""");
        await AssertRecordedAsync("route_name", "service_name");

        // The service loses its name: its id.
        await PutServiceAsync(gateway, "1", $$"""{ {{service}} }""");
        await AssertRecordedAsync("route_name", "1");

        // The route loses its name, the service has one again.
        await PutServiceAsync(gateway, "1", $$"""{"name":"service_name",{{service}} }""");
        await gateway.PutRouteAsync("1", """{"service_id":1,"plugins":{"prometheus":{"prefer_name":true} },"uri":"/hello"}""");
        await AssertRecordedAsync("1", "service_name");

        // Names present, prefer_name off: ids.
        await gateway.PutRouteAsync("1", """{"name":"route_name","service_id":1,"plugins":{"prometheus":{} },"uri":"/hello"}""");
        var scrape = await AssertRecordedAsync("1", "1");

        // One request per step, each under its own labels.
        Assert.Equal(4, scrape.Sum("apisix_http_status"));
        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", "route_name"), ("matched_uri", "/hello"), ("service", "service_name")));

        async Task<Scrape> AssertRecordedAsync(string route, string serviceLabel)
        {
            Assert.Equal(200, (await gateway.SendAsync("/hello")).Status);
            var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status", ("route", route), ("service", serviceLabel)) >= 1);
            Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", route), ("service", serviceLabel)));
            Assert.True(scrape.Value("apisix_bandwidth", ("type", "egress"), ("route", route), ("service", serviceLabel), ("consumer", ""), ("node", "127.0.0.1")) > 0);
            Assert.Equal(1, scrape.Value("apisix_http_latency_count", ("type", "upstream"), ("route", route), ("service", serviceLabel)));
            return scrape;
        }
    }

    [Fact]
    public async Task Get_MetaDisable_RouteSwitchesOffItsServicesPlugin()
    {
        // _meta.disable on the route's own prometheus config overrides the service's, as APISIX merges them.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutServiceAsync(gateway, "1", $$"""{"plugins":{"prometheus":{} },"upstream":{{ProxyKit.To(upstream)}} }""");
        await gateway.PutRouteAsync("off", """{"service_id":1,"uri":"/off","plugins":{"prometheus":{"_meta":{"disable":true} } } }""");
        await gateway.PutRouteAsync("on", """{"service_id":1,"uri":"/on"}""");

        Assert.Equal(200, (await gateway.SendAsync("/off")).Status);
        Assert.Equal(200, (await gateway.SendAsync("/off")).Status);
        Assert.Equal(200, (await gateway.SendAsync("/on")).Status);
        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status", ("route", "on")) >= 1);

        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", "on"), ("service", "1")));
        Assert.DoesNotContain(scrape.Samples, s => s.Label("route") == "off");
    }

    [Fact]
    public async Task Get_MetaFilter_OnlyRequestsThatPassItRecorded()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "prometheus":{"_meta":{"filter":[["arg_m","==","1"]]} } """, upstream));

        foreach (var query in new[] { "?m=2", "?m=1", "", "?m=1" })
        {
            Assert.Equal(200, (await gateway.SendAsync("/hello" + query)).Status);
        }

        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 2);

        Assert.Equal(2, scrape.Sum("apisix_http_status"));
        Assert.Equal(2, scrape.Value("apisix_http_latency_count", ("type", "request"), ("route", "1")));
        Assert.Equal(4, scrape.Value("apisix_http_requests_total"));
    }

    [Fact]
    public async Task Get_HigherPriorityPluginAnswers_StillRecordedWithNoNode()
    {
        // TEST 17-18 (there with fault-injection): the plugin records in the log phase, which runs
        // for an answer another plugin made too; no node was tried, so node is "" and there is no upstream latency.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "prometheus":{},"ip-restriction":{"blacklist":["127.0.0.0/24"]} """, upstream));

        Assert.Equal(403, (await gateway.SendAsync("/hello")).Status);
        Assert.Equal(403, (await gateway.SendAsync("/hello")).Status);
        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 2);

        Assert.Equal(2, scrape.Value("apisix_http_status", ("code", "403"), ("route", "1"), ("matched_uri", "/hello"), ("service", ""), ("consumer", ""), ("node", "")));
        Assert.Equal(2, scrape.Value("apisix_http_latency_count", ("type", "request"), ("route", "1"), ("node", "")));
        Assert.Empty(scrape.Find("apisix_http_latency_count", ("type", "upstream")));
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task Get_WithProxyMirror_CopyArrivesAndThePrimaryIsRecordedOnce()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$""" "prometheus":{},"proxy-mirror":{"host":"{{mirror.Url}}"} """, upstream));

        var (status, body) = await gateway.SendAsync("/hello?x=1", method: HttpMethod.Post, configure: r => r.Content = new StringContent("payload"));
        Assert.Equal(200, status);
        Assert.Equal("hello world\n", body);
        var copy = await mirror.NextAsync();
        Assert.Equal("/hello?x=1", copy.RawTarget);
        Assert.Equal("payload", System.Text.Encoding.UTF8.GetString(copy.Body));
        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 1);

        // The mirror's leg is not a client request: one status, the upstream's node.
        Assert.Equal(1, scrape.Sum("apisix_http_status"));
        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", "1"), ("node", "127.0.0.1")));
        Assert.True(scrape.Value("apisix_bandwidth", ("type", "ingress"), ("route", "1")) >= "POST /hello?x=1 HTTP/1.1\r\n\r\npayload".Length);
    }

    [Fact]
    public async Task Get_ConfigAnEmptyArray_RecordedAsWithAnEmptyObject()
    {
        // Lua's empty table: [] is accepted as {} by the Admin API, so the node runs the plugin with its defaults.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "prometheus":[] """, upstream));

        Assert.Equal(200, (await gateway.SendAsync("/hello")).Status);
        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 1);

        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", "1"), ("service", ""), ("node", "127.0.0.1")));
    }

    [Fact]
    public async Task PutRoute_PreferNameNotBoolean_400WithApisixMessage()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route("/hello", """ "prometheus":{"prefer_name":"yes"} """, upstream));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin prometheus err: property \"prefer_name\" validation failed: wrong type: expected boolean, got string");
        Assert.Equal(404, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Status);
    }

    [Fact]
    public async Task GetPluginSchema_Prometheus_PreferNameBooleanDefaultFalse()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/prometheus");

        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"type":"boolean","default":false}""", answer.Json["properties"]!["prefer_name"]!.ToJsonString());
    }
}

using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>
/// A plugin config applied to the routes that name it (APISIX's t/node/plugin-configs.t), through
/// a real gateway, upstream and mirror: its plugins run under the route's, over the service's.
/// </summary>
public sealed class PluginConfigProxyTests
{
    private static async Task PutPluginConfigAsync(GatewayNode gateway, string id, string body)
    {
        var answer = await AdminCall.PutAsync(gateway, $"/apisix/admin/plugin_configs/{id}", body);
        Assert.True(answer.Status is 200 or 201, answer.Body);
    }

    private static string Upstream(RecordingServer upstream) => $$"""{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} }""";

    [Fact]
    public async Task ProxyMirrorInPluginConfig_RouteCopiedToMirror()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutPluginConfigAsync(gateway, "mirror", $$"""{"plugins":{"proxy-mirror":{"host":"{{mirror.Url}}"} } }""");
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","plugin_config_id":"mirror","upstream":{{Upstream(upstream)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/plain","upstream":{{Upstream(upstream)}} }""");

        using var mirrored = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?x=1");
        using var plain = await gateway.Client.GetAsync(gateway.ProxyUrl + "/plain");
        var copy = await mirror.NextAsync();

        Assert.Equal(200, (int)mirrored.StatusCode);
        Assert.Equal(200, (int)plain.StatusCode);
        Assert.Equal("/hello?x=1", copy.RawTarget);
        Assert.Equal(["/hello?x=1", "/plain"], upstream.Requests.Select(r => r.RawTarget));
        Assert.Equal(1, mirror.Count);
    }

    [Fact]
    public async Task RoutePluginOverridesPluginConfigs_OthersStillApply()
    {
        // TEST 5: the route's response-rewrite wins; the plugin config's proxy-rewrite still runs.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutPluginConfigAsync(gateway, "1", """{"plugins":{"proxy-rewrite":{"uri":"/hello"},"response-rewrite":{"body":"hello"} } }""");
        await gateway.PutRouteAsync("1", $$"""{"uri":"/helloaa","plugin_config_id":1,"plugins":{"response-rewrite":{"body":"world"} },"upstream":{{Upstream(upstream)}} }""");

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/helloaa");

        Assert.Equal("world", await response.Content.ReadAsStringAsync());
        Assert.Equal("/hello", Assert.Single(upstream.Requests).RawTarget);
    }

    [Fact]
    public async Task MergeOrder_RouteOverPluginConfigOverService()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var service = await AdminCall.PutAsync(gateway, "/apisix/admin/services/s1",
            $$"""{"plugins":{"proxy-rewrite":{"headers":{"set":{"X-Level":"service"} } },"request-id":{"header_name":"X-From-Service"} },"upstream":{{Upstream(upstream)}} }""");
        Assert.Equal(201, service.Status);
        await PutPluginConfigAsync(gateway, "pc", """{"plugins":{"proxy-rewrite":{"headers":{"set":{"X-Level":"plugin config"} } } } }""");
        await gateway.PutRouteAsync("by-config", """{"uri":"/by-config","service_id":"s1","plugin_config_id":"pc"}""");
        await gateway.PutRouteAsync("by-route", """{"uri":"/by-route","service_id":"s1","plugin_config_id":"pc","plugins":{"proxy-rewrite":{"headers":{"set":{"X-Level":"route"} } } } }""");
        await gateway.PutRouteAsync("service-only", """{"uri":"/service-only","service_id":"s1"}""");

        foreach (var path in new[] { "/by-config", "/by-route", "/service-only" })
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + path);
            Assert.Equal(200, (int)response.StatusCode);

            // The service's plugin that neither overrides stays.
            Assert.True(response.Headers.Contains("X-From-Service"), path);
        }

        Assert.Equal(["plugin config", "route", "service"], upstream.Requests.Select(r => r.Header("X-Level")));
    }

    [Fact]
    public async Task PluginConfigChanged_RouteRecompiled()
    {
        // TEST 4: recover the route's own behaviour once the plugin config drops the plugin.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutPluginConfigAsync(gateway, "1", """{"plugins":{"response-rewrite":{"body":"hello"} } }""");
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","plugin_config_id":1,"upstream":{{Upstream(upstream)}} }""");

        using (var rewritten = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello"))
        {
            Assert.Equal("hello", await rewritten.Content.ReadAsStringAsync());
        }

        // The Admin API answers once the change is live on this node.
        await PutPluginConfigAsync(gateway, "1", """{"plugins":{} }""");
        using (var recovered = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello"))
        {
            Assert.Equal("hello world\n", await recovered.Content.ReadAsStringAsync());
        }

        await PutPluginConfigAsync(gateway, "1", """{"plugins":{"response-rewrite":{"body":"again"} } }""");
        using (var again = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello"))
        {
            Assert.Equal("again", await again.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task LimitCountInPluginConfig_LimitsTheRoute()
    {
        // TEST 7-8
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutPluginConfigAsync(gateway, "1", """{"plugins":{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"} } }""");
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","plugin_config_id":1,"upstream":{{Upstream(upstream)}} }""");

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([200, 200, 503], statuses);
        Assert.Equal(2, upstream.Count);
    }
}

using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's limit-count tests (t/plugin/limit-count*.t, the blocks that do not need Redis or Lua
/// internals) through a real gateway, a real upstream and, where a refusal must not be copied, a
/// real mirror. Windows are long (60 s and more) and assertions count requests, never time them.
/// </summary>
public sealed class LimitCountApisixTests
{
    private static string Route(string uri, string limitCount, string upstreamAddress, string extraPlugins = "", string desc = "")
        => $$"""
            {"uri":"{{uri}}","desc":"{{desc}}","plugins":{"limit-count":{ {{limitCount}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    private static async Task<int[]> StatusesAsync(GatewayNode gateway, int times, string path = "/hello", string? user = null)
    {
        var statuses = new int[times];
        for (var i = 0; i < times; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + path);
            if (user is not null)
            {
                request.Headers.Add("X-User", user);
            }

            using var response = await gateway.Client.SendAsync(request);
            statuses[i] = (int)response.StatusCode;
        }

        return statuses;
    }

    [Fact]
    public async Task Get_PastCount_503_NeitherUpstreamNorMirrorSeesRefused()
    {
        // TEST 3-4, plus the mirror: a refused request never reaches proxying, so it is not copied.
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var mirrorPlugin = $$""","proxy-mirror":{"host":"{{mirror.Url}}"}""";
        await gateway.PutRouteAsync("1", Route("/hello", """ "count":2,"time_window":60,"rejected_code":503,"key":"remote_addr" """, upstream.Address, mirrorPlugin));
        await gateway.PutRouteAsync("2", $$"""{"uri":"/marker","plugins":{ {{mirrorPlugin[1..]}} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        Assert.Equal(new[] { 200, 200, 503, 503 }, await StatusesAsync(gateway, 4));
        Assert.Equal(200, (await StatusesAsync(gateway, 1, "/marker"))[0]);

        await mirror.WaitForCountAsync(3);
        Assert.Equal(["/hello", "/hello", "/marker"], mirror.Requests.Select(r => r.RawTarget).Order().ToArray());
        Assert.Equal(3, upstream.Count);
    }

    [Fact]
    public async Task Get_QuotaHeaders_LimitRemainingReset_AlsoOnRefusal()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "count":2,"time_window":600 """, upstream.Address));

        using var first = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
        using var second = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
        using var refused = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal("2", first.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("1", first.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal("600", first.Headers.GetValues("X-RateLimit-Reset").Single());
        Assert.Equal("0", second.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal(503, (int)refused.StatusCode);
        Assert.Equal("0", refused.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.InRange(double.Parse(refused.Headers.GetValues("X-RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 600);
    }

    [Fact]
    public async Task Get_ShowLimitQuotaHeaderFalse_NoHeaders()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "count":1,"time_window":60,"show_limit_quota_header":false """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task Get_RejectedCodeAndMsg_AnsweredWithThem()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "count":1,"time_window":60,"rejected_code":429,"rejected_msg":"Requests are too frequent, please try again later." """, upstream.Address));

        await StatusesAsync(gateway, 1);
        using var refused = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(429, (int)refused.StatusCode);
        Assert.Equal("""{"error_msg":"Requests are too frequent, please try again later."}""", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_KeyFromHeader_EachUserCountedApart_AbsentHeaderCountsByAddress()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "count":1,"time_window":60,"key":"http_x_user" """, upstream.Address));

        Assert.Equal(new[] { 200, 503 }, await StatusesAsync(gateway, 2, user: "alice"));
        Assert.Equal(new[] { 200, 503 }, await StatusesAsync(gateway, 2, user: "bob"));
        Assert.Equal(new[] { 200, 503 }, await StatusesAsync(gateway, 2));
    }

    [Fact]
    public async Task Get_ConfigChanged_CounterStartsFresh_UnrelatedChange_CounterKept()
    {
        // TEST 21-23: a changed count starts a new counter; a rebuild that leaves the plugin's config alone keeps it.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "count":1,"time_window":80,"key":"remote_addr" """, upstream.Address));
        Assert.Equal(new[] { 200, 503 }, await StatusesAsync(gateway, 2));

        await gateway.PutRouteAsync("1", Route("/hello", """ "count":1,"time_window":80,"key":"remote_addr" """, upstream.Address, desc: "changed"));
        await gateway.PutRouteAsync("2", Route("/other", """ "count":1,"time_window":80 """, upstream.Address));
        Assert.Equal(new[] { 503 }, await StatusesAsync(gateway, 1));

        await gateway.PutRouteAsync("1", Route("/hello", """ "count":2,"time_window":82,"key":"remote_addr" """, upstream.Address));
        Assert.Equal(new[] { 200, 200, 503 }, await StatusesAsync(gateway, 3));
    }

    [Fact]
    public async Task Get_RoutesInOneGroup_ShareOneCounter()
    {
        // limit-count2.t's group blocks: two routes, one group, one counter.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        const string config = """ "count":2,"time_window":60,"group":"services_1" """;
        await gateway.PutRouteAsync("1", Route("/hello", config, upstream.Address));
        await gateway.PutRouteAsync("2", Route("/hello1", config, upstream.Address));

        Assert.Equal(new[] { 200 }, await StatusesAsync(gateway, 1, "/hello"));
        Assert.Equal(new[] { 200, 503 }, await StatusesAsync(gateway, 2, "/hello1"));
        Assert.Equal(new[] { 503 }, await StatusesAsync(gateway, 1, "/hello"));
    }

    [Fact]
    public async Task PutRoute_GroupWithOtherConfig_400GroupConfMismatched()
    {
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "count":2,"time_window":60,"group":"services_1" """, "127.0.0.1:1980"));

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/2", Route("/hello1", """ "count":3,"time_window":60,"group":"services_1" """, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin limit-count err: group conf mismatched");
    }

    [Theory]
    // TEST 8-13
    [InlineData(""" "time_window":60,"rejected_code":503,"key":"remote_addr" """, "value should match only one schema, but matches none")]
    [InlineData(""" "count":-100,"time_window":60,"rejected_code":503,"key":"remote_addr" """, "property \"count\" validation failed: value should match only one schema, but matches none")]
    [InlineData(""" "count":2,"time_window":60,"key_type":"bad" """, "property \"key_type\" validation failed: matches none of the enum values")]
    [InlineData(""" "count":2,"time_window":60,"policy":"redis","redis_host":"127.0.0.1" """, "policy \"redis\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client")]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string config, string expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route("/hello", config, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin limit-count err: " + expected);
    }
}

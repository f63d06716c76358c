using System.Diagnostics;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's limit-req tests (t/plugin/limit-req*.t, the blocks without Redis, consumers or Lua
/// internals) through a real gateway and upstream and, for refusals, a real mirror. Rates are
/// slow (one per 100 s) so counts cannot depend on the machine's speed; the one timed test only
/// asserts a lower bound the bucket guarantees.
/// </summary>
public sealed class LimitReqApisixTests
{
    private static string Route(string uri, string limitReq, string upstreamAddress, string extraPlugins = "")
        => $$"""
            {"uri":"{{uri}}","plugins":{"limit-req":{ {{limitReq}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    private static async Task<int[]> StatusesAsync(GatewayNode gateway, int times, string path = "/hello")
    {
        var statuses = new int[times];
        for (var i = 0; i < times; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + path);
            statuses[i] = (int)response.StatusCode;
        }

        return statuses;
    }

    [Fact]
    public async Task Get_ExceedingBurst_503_NeitherUpstreamNorMirrorSeesRefused()
    {
        // TEST 5-6 (rate 0.1, burst 0.1 there; slower here so a loaded machine cannot leak a slot).
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var mirrorPlugin = $$""","proxy-mirror":{"host":"{{mirror.Url}}"}""";
        await gateway.PutRouteAsync("1", Route("/hello", """ "rate":0.01,"burst":0.01,"rejected_code":503,"key":"remote_addr" """, upstream.Address, mirrorPlugin));
        await gateway.PutRouteAsync("2", $$"""{"uri":"/marker","plugins":{ {{mirrorPlugin[1..]}} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        Assert.Equal(new[] { 200, 503, 503, 503 }, await StatusesAsync(gateway, 4));
        Assert.Equal(200, (await StatusesAsync(gateway, 1, "/marker"))[0]);

        await mirror.WaitForCountAsync(2);
        Assert.Equal(["/hello", "/marker"], mirror.Requests.Select(r => r.RawTarget).Order().ToArray());
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Get_NodelayWithinBurst_AllPassAtOnce_ThenRefused()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "rate":0.01,"burst":2,"nodelay":true,"key":"remote_addr" """, upstream.Address));

        Assert.Equal(new[] { 200, 200, 200, 503 }, await StatusesAsync(gateway, 4));
    }

    [Fact]
    public async Task Get_WithinBurstWithoutNodelay_WaitsItsTurn()
    {
        // rate 0.5: the second request may be proxied no sooner than 2 s after the first arrived.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "rate":0.5,"burst":1,"key":"remote_addr" """, upstream.Address));

        var clock = Stopwatch.StartNew();
        Assert.Equal(new[] { 200, 200 }, await StatusesAsync(gateway, 2));

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"answered after {clock.Elapsed}");
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Get_RejectedCodeAndMsg_AnsweredWithThem()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "rate":0.01,"burst":0,"rejected_code":429,"rejected_msg":"slow down","key":"remote_addr" """, upstream.Address));

        await StatusesAsync(gateway, 1);
        using var refused = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(429, (int)refused.StatusCode);
        Assert.Equal("""{"error_msg":"slow down"}""", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_RejectedCode429WithoutMsg_NginxPage()
    {
        // APISIX's limit-req doc, "Apply Rate Limiting by Remote Address": rejected_code 429 and no rejected_msg
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "rate":1,"burst":0,"rejected_code":429,"key":"remote_addr","key_type":"var","nodelay":true """, upstream.Address));

        await StatusesAsync(gateway, 1);
        using var refused = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(429, (int)refused.StatusCode);
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>429 Too Many Requests</title>", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Get_KeyServerAddr_Limited()
    {
        // TEST 10
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "rate":0.01,"burst":0,"key":"server_addr" """, upstream.Address));

        Assert.Equal(new[] { 200, 503 }, await StatusesAsync(gateway, 2));
    }

    [Theory]
    // TEST 7, 21
    [InlineData(""" "rate":-1,"burst":0.1,"rejected_code":503,"key":"remote_addr" """, "property \"rate\" validation failed: expected -1 to be greater than 0")]
    [InlineData(""" "rate":0,"burst":0.1,"key":"remote_addr" """, "property \"rate\" validation failed: expected 0 to be greater than 0")]
    [InlineData(""" "rate":1,"burst":1 """, "property \"key\" is required")]
    [InlineData(""" "rate":1,"burst":1,"key":"remote_addr","policy":"redis","redis_host":"127.0.0.1" """, "policy \"redis\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client")]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string config, string expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route("/hello", config, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin limit-req err: " + expected);
    }
}

using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's <c>_meta</c> on a plugin, seen through proxy-mirror with a real upstream and a real
/// mirror: <c>filter</c> decides per request whether the plugin runs, <c>disable</c> switches it off.
/// A request that is not mirrored is followed by one that is, so the first copy the mirror gets
/// tells which ones were sent.
/// </summary>
public sealed class PluginMetaTests
{
    [Fact]
    public async Task MetaFilter_OnProxyMirror_OnlyMatchingRequestsAreMirrored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}","_meta":{"filter":[["arg_mirror","==","yes"]]} """, upstream.Address));

        using var skipped = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?mirror=no");
        using var mirrored = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?mirror=yes");

        Assert.Equal(200, (int)skipped.StatusCode);
        Assert.Equal(200, (int)mirrored.StatusCode);
        Assert.Equal("/hello?mirror=yes", (await mirror.NextAsync()).RawTarget);
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task MetaDisable_OnProxyMirror_NothingIsMirroredAndUpstreamServes()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}","_meta":{"disable":true} """, upstream.Address));
        await gateway.PutRouteAsync("2", Route("/probe", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
        using var probe = await gateway.Client.GetAsync(gateway.ProxyUrl + "/probe");

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("/probe", (await mirror.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task MetaFilter_BadExpression_AdminRefusesWithApisixMessage()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var (status, body) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/routes/1",
            Route("/hello", """ "host":"http://127.0.0.1:1986","_meta":{"filter":[["arg_x","=","1"]]} """, "127.0.0.1:1980"));

        Assert.Equal(400, status);
        Assert.Contains("failed to validate the 'vars' expression", body);
    }
}

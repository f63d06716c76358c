using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>Request targets a copy must carry exactly (<c>OPTIONS *</c>, a <c>#</c> in <c>path</c>) or not at all (CONNECT).</summary>
public sealed class ProxyMirrorRequestTargetTests
{
    [Fact]
    public async Task OptionsAsterisk_Mirrored_AsteriskTargetAndConnectionStillServesNextCopy()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/*", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        var status = await RawRequestAsync(gateway.ProxyPort, $"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1:{gateway.ProxyPort}");
        var options = await mirror.NextAsync();
        using var after = await gateway.Client.GetAsync(gateway.ProxyUrl + "/after");
        var next = await mirror.NextAsync();

        Assert.StartsWith("HTTP/1.1 200", status, StringComparison.Ordinal);
        Assert.Equal(("OPTIONS", "*"), (options.Method, options.RawTarget));
        Assert.Equal(("GET", "/after"), (next.Method, next.RawTarget));
        await WaitForMetricAsync(gateway, 2, "mirrorgate_mirror_sent_total", Label("status_class", "2xx"));
    }

    [Fact]
    public async Task Connect_NotMirrored_CountedDroppedConnectMethod()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/*", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        await RawRequestAsync(gateway.ProxyPort, "CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443");
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_dropped_total", Label("reason", "connect_method"));
        using var after = await gateway.Client.GetAsync(gateway.ProxyUrl + "/after");
        var next = await mirror.NextAsync();

        // The GET's copy is the first and only one the mirror saw: none was made for the CONNECT.
        Assert.Equal(("GET", "/after"), (next.Method, next.RawTarget));
        Assert.Equal(1, mirror.Count);
        Assert.Equal(2, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
    }

    [Fact]
    public async Task Get_PathWithHash_MirrorGetsHashPercentEncoded()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}", "path":"/a#frag" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?q=1");
        var copy = await mirror.NextAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/a%23frag?q=1", copy.RawTarget);
    }
}

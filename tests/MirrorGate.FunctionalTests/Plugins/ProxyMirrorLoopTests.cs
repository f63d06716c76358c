using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>Copies carry the node's marker and are never mirrored again: a mirror pointed back at the gateway cannot loop.</summary>
public sealed class ProxyMirrorLoopTests
{
    [Fact]
    public async Task Get_MirrorIsGatewaysOwnProxyPort_EachRequestCopiedOnceNoStorm()
    {
        const int requests = 5;
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{gateway.ProxyUrl}}" """, upstream.Address));

        for (var i = 0; i < requests; i++)
        {
            using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/hello?i={i}");
            Assert.Equal(200, (int)response.StatusCode);
        }

        // Each copy came back through the gateway (its answer counts it sent) and was not copied
        // again (dropped as a loop): after both, no copy is left anywhere.
        await WaitForMetricAsync(gateway, requests, "mirrorgate_mirror_sent_total", Label("status_class", "2xx"));
        await WaitForMetricAsync(gateway, requests, "mirrorgate_mirror_dropped_total", Label("reason", "loop"));
        await upstream.WaitForCountAsync(2 * requests);

        Assert.Equal(2 * requests, upstream.Count);
        var copies = upstream.Requests.Where(r => r.Header(MirrorMarker.DefaultHeaderName) is not null).ToArray();
        Assert.Equal(requests, copies.Length);
        Assert.All(copies, copy => Assert.Equal(gateway.NodeId, copy.Header(MirrorMarker.DefaultHeaderName)));
        Assert.Equal(2 * requests, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
        Assert.Equal(requests, await gateway.MetricSumAsync("mirrorgate_mirror_sent_total"));
        Assert.Equal(requests, await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total"));
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_failed_total"));
    }
}

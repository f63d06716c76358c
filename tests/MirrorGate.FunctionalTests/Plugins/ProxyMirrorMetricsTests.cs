using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>Every mirror outcome the issue names is visible on the Prometheus endpoint, per route and target.</summary>
public sealed class ProxyMirrorMetricsTests
{
    [Fact]
    public async Task Metrics_AfterSentFailedAndDroppedMirrors_EveryMirrorSeriesIsExported()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    max_body_size: 1k\n    timeout: {connect: 1s, read: 1s, send: 1s}");
        var deadMirror = $"http://127.0.0.1:{FreePort.Next()}";
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        await gateway.PutRouteAsync("2", Route("/dead", $$"""  "host":"{{deadMirror}}" """, upstream.Address));

        (await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello")).Dispose();
        (await gateway.Client.PostAsync(gateway.ProxyUrl + "/hello", new ByteArrayContent(new byte[4096]))).Dispose();
        (await gateway.Client.GetAsync(gateway.ProxyUrl + "/dead")).Dispose();
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_sent_total");
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_failed_total");

        // An outcome is counted just before its worker lets go of it.
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_in_flight");

        var text = await gateway.MetricsAsync();
        var route1 = $"{Label("route", "1")},{Label("target", mirror.Url)}";
        var route2 = $"{Label("route", "2")},{Label("target", deadMirror)}";
        Assert.Contains("# TYPE mirrorgate_mirror_sampled_total counter", text);
        Assert.Contains($"mirrorgate_mirror_sampled_total{{{route1}}} 2", text);
        Assert.Contains($"mirrorgate_mirror_sent_total{{{Label("route", "1")},status_class=\"2xx\",{Label("target", mirror.Url)}}} 1", text);
        Assert.Contains($"mirrorgate_mirror_dropped_total{{reason=\"body_too_large\",{route1}}} 1", text);
        Assert.Contains($"mirrorgate_mirror_failed_total{{reason=\"connect\",{route2}}} 1", text);
        Assert.Contains("# TYPE mirrorgate_mirror_duration_seconds histogram", text);
        Assert.Contains($"mirrorgate_mirror_duration_seconds_bucket{{{route1},le=\"+Inf\"}} 1", text);
        Assert.Contains($"mirrorgate_mirror_duration_seconds_count{{{route1}}} 1", text);
        Assert.Contains($"mirrorgate_mirror_duration_seconds_sum{{{route1}}}", text);
        foreach (var gauge in new[] { "mirrorgate_mirror_queue_depth", "mirrorgate_mirror_in_flight", "mirrorgate_mirror_buffered_bytes" })
        {
            Assert.Contains($"# TYPE {gauge} gauge", text);
            Assert.Contains($"\n{gauge} 0", text);
        }
    }
}

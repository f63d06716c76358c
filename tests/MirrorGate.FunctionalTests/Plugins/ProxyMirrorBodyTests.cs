using System.Net.Sockets;
using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// Request bodies: the primary gets every byte as sent, the mirror gets an identical copy or
/// nothing (over the cap, client gone) and never a truncated one.
/// </summary>
public sealed class ProxyMirrorBodyTests
{
    private const int TwentyMiB = 20 * 1024 * 1024;

    [Fact]
    public async Task Post_20MiBUnderCap_UpstreamAndMirrorGetIdenticalBody()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    max_body_size: 32m");
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var body = RandomBytes(TwentyMiB, seed: 1);

        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", new ByteArrayContent(body));

        Assert.Equal(200, (int)response.StatusCode);
        var atUpstream = await upstream.NextAsync();
        Assert.Equal(Sha256(body), Sha256(atUpstream.Body));
        var atMirror = await mirror.NextAsync(TimeSpan.FromSeconds(30));
        Assert.True(atMirror.BodyComplete);
        Assert.Equal(Sha256(body), Sha256(atMirror.Body));
        Assert.Equal(TwentyMiB.ToString(), atMirror.Header("Content-Length"));
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_sent_total", "status_class=\"2xx\"");
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_buffered_bytes");
    }

    [Fact]
    public async Task Post_20MiBOverCap_UpstreamIntactMirrorGetsNothingAndDropIsCounted()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    max_body_size: 1m");
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var body = RandomBytes(TwentyMiB, seed: 2);

        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", new ByteArrayContent(body));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Sha256(body), Sha256((await upstream.NextAsync()).Body));
        Assert.Equal(1, await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_dropped_total", Label("reason", "body_too_large"), Label("route", "1")));
        await AssertMirrorGotOnlyMarkerAsync(gateway, mirror);
    }

    [Fact]
    public async Task Post_ChunkedBody_UpstreamAndMirrorGetIdenticalBody()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var body = RandomBytes(3 * 1024 * 1024 + 17, seed: 3);

        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", new ChunkedContent(body));

        Assert.Equal(200, (int)response.StatusCode);
        var atUpstream = await upstream.NextAsync();
        Assert.Equal(Sha256(body), Sha256(atUpstream.Body));
        var atMirror = await mirror.NextAsync();
        Assert.True(atMirror.BodyComplete);
        Assert.Equal(Sha256(body), Sha256(atMirror.Body));
        Assert.Equal("POST", atMirror.Method);
    }

    [Fact]
    public async Task Post_ChunkedBodyOverCap_UpstreamIntactMirrorGetsNothingAndDropIsCounted()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    max_body_size: 1m");
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var body = RandomBytes(3 * 1024 * 1024, seed: 4);

        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", new ChunkedContent(body));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Sha256(body), Sha256((await upstream.NextAsync()).Body));
        Assert.Equal(1, await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_dropped_total", Label("reason", "body_too_large")));
        await AssertMirrorGotOnlyMarkerAsync(gateway, mirror);
    }

    [Fact]
    public async Task Post_BodyExactlyAtCap_MirrorGetsIt()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    max_body_size: 64k");
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var body = RandomBytes(64 * 1024, seed: 5);

        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", new ChunkedContent(body));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(Sha256(body), Sha256((await mirror.NextAsync()).Body));
    }

    [Fact]
    public async Task Post_MaxBodySizeRaisedInConfigYaml_AppliesWhileRunning()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    max_body_size: 1m");
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var body = RandomBytes(2 * 1024 * 1024, seed: 9);

        (await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload?n=1", new ByteArrayContent(body))).Dispose();
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_dropped_total", Label("reason", "body_too_large"));

        var applied = gateway.Logs.Count("applied plugin_attr");
        await File.WriteAllTextAsync(gateway.ConfigPath, GatewayNode.RenderConfig(
            gateway.Directory, gateway.ProxyPort, gateway.AdminPort, gateway.MetricsPort, gateway.Http2Port,
            "  proxy-mirror:\n    max_body_size: 4m", null));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (gateway.Logs.Count("applied plugin_attr") <= applied)
        {
            Assert.True(DateTime.UtcNow < deadline, "the config.yaml edit was not applied");
            await Task.Delay(20);
        }

        (await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload?n=2", new ByteArrayContent(body))).Dispose();

        var atMirror = await mirror.NextAsync();
        Assert.Equal("/upload?n=2", atMirror.RawTarget);
        Assert.Equal(Sha256(body), Sha256(atMirror.Body));
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_ClientAbortsMidBody_MirrorDroppedAndNeverSentTruncated(bool chunked)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", gateway.ProxyPort);
            var stream = client.GetStream();
            var framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: 1000000";
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /upload HTTP/1.1\r\nHost: test\r\n{framing}\r\n\r\n"));
            var part = RandomBytes(100_000, seed: 6);
            if (chunked)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"{part.Length:x}\r\n"));
                await stream.WriteAsync(part);
                await stream.WriteAsync("\r\n"u8.ToArray());
            }
            else
            {
                await stream.WriteAsync(part);
            }

            await stream.FlushAsync();

            // Only once the request reached the plugin is the abort "mid-body" for the mirror.
            await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_sampled_total");
            client.Client.Linger(0);
        }

        var dropped = await WaitForDroppedAsync(gateway);
        Assert.Equal(1, dropped);
        await AssertMirrorGotOnlyMarkerAsync(gateway, mirror);
    }

    [Fact]
    public async Task Post_UpstreamUnreachable_PrimaryGets502AndMirrorIsNeverSentTruncated()
    {
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, $"127.0.0.1:{FreePort.Next()}"));

        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", new ByteArrayContent(RandomBytes(50_000, seed: 7)));

        // The body was never read by the failed upstream call, so there is no whole copy to send:
        // the mirror is dropped and counted rather than sent without its body.
        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal(1, await WaitForDroppedAsync(gateway));
        await AssertMirrorGotOnlyMarkerAsync(gateway, mirror, expectPrimary: 502);
    }

    private static async Task<double> WaitForDroppedAsync(GatewayNode gateway)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var aborted = await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", Label("reason", "client_aborted"));
            var incomplete = await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", Label("reason", "body_incomplete"));
            if (aborted + incomplete >= 1 || DateTime.UtcNow > deadline)
            {
                return aborted + incomplete;
            }

            await Task.Delay(25);
        }
    }

    /// <summary>
    /// After a mirror was dropped (counted at the moment of dropping, so nothing of it is still on
    /// its way), a body-less marker request is mirrored: the mirror must see the marker and nothing else.
    /// </summary>
    private static async Task AssertMirrorGotOnlyMarkerAsync(GatewayNode gateway, RecordingServer mirror, int expectPrimary = 200)
    {
        using (var marker = await gateway.Client.GetAsync(gateway.ProxyUrl + "/upload?marker=1"))
        {
            Assert.Equal(expectPrimary, (int)marker.StatusCode);
        }

        var first = await mirror.NextAsync();
        Assert.Equal("/upload?marker=1", first.RawTarget);
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_sent_total");
        Assert.Equal(1, mirror.Count);
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_sent_total"));

        // The abandoned copy gave its memory back.
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_buffered_bytes");
    }
}

internal static class SocketExtensions
{
    /// <summary>Linger 0: closing sends RST, as a client that vanished mid-upload.</summary>
    public static void Linger(this Socket socket, int seconds) => socket.LingerState = new LingerOption(true, seconds);
}

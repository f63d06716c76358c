using System.Collections.Concurrent;
using System.Net;
using MirrorGate.Configuration;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Process;
using MirrorGate.Hosting;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// The pipelined HTTP/1.1 mirror leg in a real gateway: many concurrent primaries share few
/// mirror connections and every copy arrives once, pipeline_depth is checked when the node
/// starts and when config.yaml changes, and https mirrors are reached through the same client.
/// </summary>
public sealed class ProxyMirrorPipeliningTests
{
    private const string PipelineDepthKey = "plugin_attr.proxy-mirror.pipeline_depth";

    [Fact]
    public async Task Get_200ConcurrentPrimariesFrom16Loops_EachArrivesOnceUpstreamAndAtMirrorOnFewMirrorConnections()
    {
        const int Requests = 200;
        const int Loops = 16;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello/*", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };
        var wrongAnswers = new ConcurrentQueue<string>();

        await RunConcurrentlyAsync(Requests, Loops, async i =>
        {
            using var response = await client.GetAsync($"{gateway.ProxyUrl}{Target(i)}");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK || body != "hello world\n")
            {
                wrongAnswers.Enqueue($"{Target(i)}: {(int)response.StatusCode} {body}");
            }
        });

        Assert.Empty(wrongAnswers);
        Assert.Equal(Requests, await WaitForMetricAsync(gateway, Requests, "mirrorgate_mirror_sent_total", Label("route", "1"), Label("target", mirror.Url)));
        await mirror.WaitForCountAsync(Requests);
        var expected = Enumerable.Range(0, Requests).Select(Target).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, upstream.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        Assert.Equal(expected, mirror.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        Assert.All(mirror.Requests, r => Assert.Equal(("GET", "HTTP/1.1"), (r.Method, r.Protocol)));
        Assert.Equal(Requests, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
        Assert.Equal(Requests, await gateway.MetricSumAsync("mirrorgate_mirror_sent_total", "status_class=\"2xx\""));
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_failed_total"));
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total"));

        // Copies share connections: far fewer mirror connections than copies (one per copy
        // would be 200; the 16 loops keep at most a few dozen copies unanswered at once).
        var connections = mirror.Requests.Select(r => r.ConnectionId).Distinct().Count();
        Assert.InRange(connections, 1, Requests / 4);
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_in_flight");
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_queue_depth"));

        static string Target(int i) => $"/hello/{i}?i={i}&s=%20x%2F";
    }

    [Theory]
    [InlineData("0")]
    [InlineData("x")]
    public async Task Start_PipelineDepthInvalid_ProcessExitsNamingTheKey(string value)
    {
        using var directory = new NodeDirectory(kind: "pipeline-depth");
        await File.WriteAllTextAsync(directory.ConfigPath, GatewayNode.RenderConfig(
            directory.Path, FreePort.Next(), FreePort.Next(), FreePort.Next(), null, $"  proxy-mirror:\n    pipeline_depth: {value}", null));

        using var node = GatewayProcess.Start(directory.Path, "-c", directory.ConfigPath);
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        await node.WaitForOutputAsync($"{PipelineDepthKey}: expected an integer between 1 and 1024, got", TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("x")]
    [InlineData("-1")]
    [InlineData("1025")]
    [InlineData("2.5")]
    public void Bootstrap_PipelineDepthInvalid_RefusedNamingTheKey(string value)
    {
        using var directory = new NodeDirectory(kind: "pipeline-depth");
        File.WriteAllText(directory.ConfigPath, GatewayNode.RenderConfig(
            directory.Path, FreePort.Next(), FreePort.Next(), FreePort.Next(), null, $"  proxy-mirror:\n    pipeline_depth: {value}", null));

        // What a starting node does first (GatewayNode and the executable alike): nothing is built or bound.
        var ex = Assert.Throws<ConfigException>(() => NodeBootstrap.Load(CommandLine.Parse(["-c", directory.ConfigPath])));

        Assert.Equal($"{PipelineDepthKey}: expected an integer between 1 and 1024, got \"{value}\"", ex.Message);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("1024", 1024)]
    [InlineData("\"8\"", 8)]
    public void Bootstrap_PipelineDepthInRange_Read(string value, int expected)
    {
        using var directory = new NodeDirectory(kind: "pipeline-depth");
        File.WriteAllText(directory.ConfigPath, GatewayNode.RenderConfig(
            directory.Path, FreePort.Next(), FreePort.Next(), FreePort.Next(), null, $"  proxy-mirror:\n    pipeline_depth: {value}", null));

        var bootstrap = NodeBootstrap.Load(CommandLine.Parse(["-c", directory.ConfigPath]));

        Assert.Equal(expected, bootstrap.MirrorSettings.PipelineDepth);
    }

    [Fact]
    public async Task ConfigYamlEdited_PipelineDepthZero_ChangeIgnoredNamingTheKeyAndMirrorKeepsWorking()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    pipeline_depth: 4");
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        await File.WriteAllTextAsync(gateway.ConfigPath, GatewayNode.RenderConfig(
            gateway.Directory, gateway.ProxyPort, gateway.AdminPort, gateway.MetricsPort, gateway.Http2Port,
            "  proxy-mirror:\n    pipeline_depth: 0", null));
        await gateway.Logs.WaitForAsync($"{PipelineDepthKey}: expected an integer between 1 and 1024, got \"0\"", TimeSpan.FromSeconds(15));

        using (var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?after=edit"))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_sent_total", "status_class=\"2xx\"");
        Assert.Equal("/hello?after=edit", (await mirror.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Send_HttpsMirrorWithSelfSignedCertificate_CopiesArriveOverTlsOnOneKeptConnection()
    {
        const int Gets = 5;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync(https: true);
        Assert.StartsWith("https://127.0.0.1:", mirror.Url, StringComparison.Ordinal);
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var body = RandomBytes(100_000, seed: 6);

        // One at a time: each copy is answered (and its connection free again) before the next.
        for (var i = 0; i < Gets; i++)
        {
            using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/hello?n={i}");
            Assert.Equal(200, (int)response.StatusCode);
            await WaitForMetricAsync(gateway, i + 1, "mirrorgate_mirror_sent_total", "status_class=\"2xx\"", Label("target", mirror.Url));
        }

        using (var response = await gateway.Client.PostAsync($"{gateway.ProxyUrl}/hello?n=post", new ByteArrayContent(body)))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        await WaitForMetricAsync(gateway, Gets + 1, "mirrorgate_mirror_sent_total", "status_class=\"2xx\"", Label("target", mirror.Url));
        var requests = mirror.Requests;
        Assert.Equal([.. Enumerable.Range(0, Gets).Select(i => $"/hello?n={i}"), "/hello?n=post"], requests.Select(r => r.RawTarget));
        Assert.All(requests, r => Assert.Equal(("https", "HTTP/1.1"), (r.Scheme, r.Protocol)));
        Assert.Equal(Sha256(body), Sha256(requests[^1].Body));
        Assert.Equal(upstream.Requests[0].Header("Host"), requests[0].Header("Host"));
        Assert.Single(requests.Select(r => r.ConnectionId).Distinct());
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_failed_total"));
    }

    [Fact]
    public async Task Get_HttpsMirrorWithSelfSignedCertificateAndVerifyTls_CopyFailsAndPrimaryIntact()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync(https: true);
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    verify_tls: true");
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using (var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/hello"))
        {
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_failed_total", "reason=\"error\"", Label("target", mirror.Url)));
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_sent_total"));
        Assert.Equal(0, mirror.Count);
        Assert.Equal(1, upstream.Count);
    }
}

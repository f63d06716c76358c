using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// The primary never waits for, and never fails because of, the mirror: whatever the mirror does
/// (refuse, reset, close, answer 500, never answer, answer slowly), every client answer is the
/// upstream's, and the mirror's outcome is counted.
/// </summary>
public sealed class ProxyMirrorIsolationTests
{
    private const string OneSecondTimeouts = "  proxy-mirror:\n    timeout: {connect: 1s, read: 1s, send: 1s}";

    public enum MirrorFault
    {
        Refuses,
        Resets,
        Closes,
        Answers500,
        NeverAnswers,
    }

    [Theory]
    [InlineData(MirrorFault.Refuses, "mirrorgate_mirror_failed_total", "reason=\"connect\"")]
    [InlineData(MirrorFault.Resets, "mirrorgate_mirror_failed_total", "reason=\"error\"")]
    [InlineData(MirrorFault.Closes, "mirrorgate_mirror_failed_total", "reason=\"error\"")]
    [InlineData(MirrorFault.Answers500, "mirrorgate_mirror_sent_total", "status_class=\"5xx\"")]
    [InlineData(MirrorFault.NeverAnswers, "mirrorgate_mirror_failed_total", "reason=\"timeout\"")]
    public async Task Get_MirrorMisbehaves_EveryPrimaryAnswerIntactAndOutcomeCounted(MirrorFault fault, string metric, string label)
    {
        const int Requests = 50;
        await using var upstream = await RecordingServer.StartAsync();
        await using var recording = await RecordingServer.StartAsync();
        await using var broken = fault == MirrorFault.Closes ? BrokenMirror.Closing() : BrokenMirror.Resetting();
        recording.Respond = fault switch
        {
            MirrorFault.Answers500 => static http => { http.Response.StatusCode = 500; return http.Response.WriteAsync("mirror broke"); },
            _ => static http => Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted),
        };
        var mirrorUrl = fault switch
        {
            MirrorFault.Refuses => $"http://127.0.0.1:{FreePort.Next()}",
            MirrorFault.Resets or MirrorFault.Closes => broken.Url,
            _ => recording.Url,
        };
        await using var gateway = await GatewayNode.StartAsync(OneSecondTimeouts);
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirrorUrl}}" """, upstream.Address));

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + $"/hello?i={i}");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        }

        if (fault == MirrorFault.Refuses)
        {
            // A refusing mirror trips its circuit breaker: the first copies fail, the rest are
            // dropped without a connect attempt.
            var (failed, dropped) = await WaitForUnreachableOutcomesAsync(gateway, Requests, "connect");
            Assert.True(failed >= MirrorGate.Mirroring.MirrorCircuit.Threshold, $"failed {failed}");
            Assert.True(dropped >= 1, $"dropped {dropped}");
        }
        else
        {
            Assert.Equal(Requests, await WaitForMetricAsync(gateway, Requests, metric, label, Label("route", "1"), Label("target", mirrorUrl)));
        }

        Assert.Equal(Requests, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
        var outcomes = await gateway.MetricSumAsync("mirrorgate_mirror_sent_total") + await gateway.MetricSumAsync("mirrorgate_mirror_failed_total")
            + await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total");
        Assert.Equal(Requests, outcomes);
        Assert.Equal(Requests, upstream.Count);

        // Failures are logged at a bounded rate (5 per 10 s per route, target and reason), not once per request.
        var failureLines = gateway.Logs.Count($"mirror request to {mirrorUrl} for route 1 failed");
        Assert.InRange(failureLines, fault == MirrorFault.Answers500 ? 0 : 1, 5 * (1 + (int)(clock.Elapsed.TotalSeconds / 10)));
    }

    [Fact]
    public async Task Get_MirrorNeverAnswers_AbandonedAfterReadTimeout()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        var abandoned = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mirror.Respond = async http =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                abandoned.TrySetResult();
            }
        };
        await using var gateway = await GatewayNode.StartAsync(OneSecondTimeouts);
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        var clock = Stopwatch.StartNew();
        using (var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello"))
        {
            Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        }

        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_failed_total", "reason=\"timeout\"");
        var elapsed = clock.Elapsed;

        // The mirror connection is closed, so the mirror sees its request aborted.
        await abandoned.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(8));
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_in_flight"));
    }

    [Fact]
    public async Task Post_MirrorNeverReadsBody_AbandonedAfterSendTimeoutAndPrimaryIntact()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var silent = BrokenMirror.Silent();
        await using var gateway = await GatewayNode.StartAsync(OneSecondTimeouts + "\n    max_body_size: 32m");
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{silent.Url}}" """, upstream.Address));
        var body = new byte[16 * 1024 * 1024];
        new Random(8).NextBytes(body);

        var clock = Stopwatch.StartNew();
        using (var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", new ByteArrayContent(body)))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(MirrorTestKit.Sha256(body), MirrorTestKit.Sha256((await upstream.NextAsync()).Body));
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_failed_total", "reason=\"timeout\"");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
        Assert.Equal(1, silent.Accepted);
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_buffered_bytes");
    }

    [Fact]
    public async Task Get_SequentialMirrors_ReuseOneKeepAliveConnection()
    {
        // APISIX opens a connection per mirror (#9690); the mirror leg keeps its connections alive.
        const int Requests = 20;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        for (var i = 0; i < Requests; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
            Assert.Equal(200, (int)response.StatusCode);

            // One at a time: a copy is counted as sent only after its answer was read to the end,
            // which returns the connection to the pool for the next copy.
            await WaitForMetricAsync(gateway, i + 1, "mirrorgate_mirror_sent_total");
        }

        Assert.Single(mirror.Requests.Select(r => r.ConnectionId).Distinct());
    }

    [Fact]
    public async Task Get_MirrorAnswersAfter5s_TwentyKeepAliveRequestsFinishUnder4s()
    {
        const int Requests = 20;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        mirror.Respond = static async http =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), http.RequestAborted);
            await http.Response.WriteAsync("late");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        using var client = OneConnectionClient();

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            using var response = await client.GetAsync(gateway.ProxyUrl + "/hello");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        }

        var elapsed = clock.Elapsed;
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"20 primary requests took {elapsed}");

        // And the mirror did get them all: it was slow, not skipped.
        await mirror.WaitForCountAsync(Requests);
    }

    [Fact]
    public async Task Get_ConfigYamlReadTimeoutEdited_NewTimeoutAppliesWhileRunning()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        mirror.Respond = static http => Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted);
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    timeout: {connect: 1s, read: 30s, send: 1s}");
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        // A mirror sent under the 30 s read timeout keeps it.
        using (var before = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?before=1"))
        {
            Assert.Equal(200, (int)before.StatusCode);
        }

        await mirror.WaitForCountAsync(1);

        var applied = gateway.Logs.Count("applied plugin_attr");
        await File.WriteAllTextAsync(gateway.ConfigPath, GatewayNode.RenderConfig(
            gateway.Directory, gateway.ProxyPort, gateway.AdminPort, gateway.MetricsPort, gateway.Http2Port,
            "  proxy-mirror:\n    timeout: {connect: 1s, read: 1s, send: 1s}", null));
        await WaitUntilAsync(() => gateway.Logs.Count("applied plugin_attr") > applied, "the config.yaml edit was not applied");

        var clock = Stopwatch.StartNew();
        using (var after = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?after=1"))
        {
            Assert.Equal(200, (int)after.StatusCode);
        }

        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_failed_total", "reason=\"timeout\"");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));

        // Only the new request timed out; the one sent under 30 s is still waiting.
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_failed_total"));
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_in_flight"));
    }

    [Fact]
    public async Task Get_QueueFullWithSlowMirror_DroppedQueueFullCountedAndPrimaryIntact()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        mirror.Respond = async http =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30), http.RequestAborted);
            await http.Response.WriteAsync("ok");
        };
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    queue_size: 1\n    concurrency: 1");
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        // The one worker holds the first mirror, the queue holds the second, the other eight are dropped.
        await GetOkAsync(gateway, "/hello?n=0");
        await mirror.WaitForCountAsync(1);
        for (var i = 1; i < 10; i++)
        {
            await GetOkAsync(gateway, $"/hello?n={i}");
        }

        Assert.Equal(10, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
        Assert.Equal(8, await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", "reason=\"queue_full\"", Label("route", "1")));
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_queue_depth"));
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_in_flight"));

        release.SetResult();
        await WaitForMetricAsync(gateway, 2, "mirrorgate_mirror_sent_total", "status_class=\"2xx\"");
        Assert.Equal(["/hello?n=0", "/hello?n=1"], mirror.Requests.Select(r => r.RawTarget).ToArray());
        Assert.Equal(10, upstream.Count);
    }

    [Fact]
    public async Task Dispose_MirrorInFlightNeverAnswering_NodeStopsPromptly()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        mirror.Respond = static http => Task.Delay(TimeSpan.FromSeconds(60), http.RequestAborted);
        var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        await GetOkAsync(gateway, "/hello");
        await mirror.WaitForCountAsync(1);

        var clock = Stopwatch.StartNew();
        await gateway.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {clock.Elapsed}");
    }

    private static async Task GetOkAsync(GatewayNode gateway, string pathAndQuery)
    {
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + pathAndQuery);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                throw new TimeoutException(failure);
            }

            await Task.Delay(20);
        }
    }
}

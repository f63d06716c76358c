using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

public sealed class MirrorDispatcherTests
{
    [Fact]
    public async Task DisposeAsync_MirrorInFlightNeverAnswersAndOthersQueued_ReturnsPromptlyAndReleasesEveryBody()
    {
        // A mirror that accepts connections and reads, but never answers.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        var acceptLoop = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await silent.AcceptSocketAsync();
                    lock (accepted)
                    {
                        accepted.Add(socket);
                    }
                }
            }
            catch (SocketException)
            {
                // The listener stopped.
            }
            catch (ObjectDisposedException)
            {
            }
        });

        using var metrics = new MirrorMetrics();
        using var outcomes = new MirrorOutcomes(metrics);
        var budget = new MirrorMemoryBudget(() => 1L << 30);
        var settings = ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 8, PipelineDepth = 1 };
        var dispatcher = TestDispatcher.Create(settings, metrics, budget);
        var target = new MirrorTargetMetrics(metrics, "dispose", "http://silent");
        for (var i = 0; i < 3; i++)
        {
            var body = new MirrorBodyBuffer(budget);
            Assert.True(body.TryAppend(new byte[1000]));
            Assert.True(dispatcher.TryEnqueue(new MirrorRequest
            {
                Method = HttpMethod.Post,
                Origin = MirrorOrigin.Parse($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"),
                PathAndQuery = $"/m{i}",
                Version = HttpVersion.Version11,
                Host = "example.test",
                Headers = [],
                Body = body,
                Metrics = target,
            }));
        }

        var waited = Stopwatch.StartNew();
        while (dispatcher.InFlight != 1 || dispatcher.QueueLength != 2)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the first mirror never went in flight");
            await Task.Delay(10);
        }

        var stopping = Stopwatch.StartNew();
        await dispatcher.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"disposing took {stopping.Elapsed}");
        Assert.Equal(0, budget.Used);

        // Every copy counted once: the written one failed (the node stopped), the queued ones dropped.
        await outcomes.WaitForTotalAsync(3);
        Assert.True(outcomes.FailedWith(MirrorReasons.Shutdown) == 1 && outcomes.DroppedWith(MirrorReasons.Shutdown) == 2, $"counted: {outcomes}");
        Assert.Equal(0, dispatcher.InFlight);
        silent.Stop();
        await acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));
        lock (accepted)
        {
            accepted.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task TryEnqueue_AfterDispose_DropsAndReleasesBody()
    {
        using var metrics = new MirrorMetrics();
        var budget = new MirrorMemoryBudget(() => 1L << 30);
        var settings = ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 8, PipelineDepth = 1 };
        var dispatcher = TestDispatcher.Create(settings, metrics, budget);
        await dispatcher.DisposeAsync();

        var queued = dispatcher.TryEnqueue(TestRequests.Post(metrics, budget, "late", bodyLength: 100));

        Assert.False(queued);
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void Fail_CopyThatCannotBeSent_CountedFailedOnceNeverQueuedBodyReleased()
    {
        using var metrics = new MirrorMetrics();
        using var outcomes = new MirrorOutcomes(metrics);
        var budget = new MirrorMemoryBudget(() => 1L << 30);
        var dispatcher = TestDispatcher.Create(ProxyMirrorSettings.Default, metrics, budget);

        dispatcher.Fail(TestRequests.Post(metrics, budget, "unsendable", bodyLength: 100), MirrorReasons.Error, "a field would split the request head");

        Assert.Equal(1, outcomes.FailedWith(MirrorReasons.Error));
        Assert.Equal(1, outcomes.Total);
        Assert.Equal(0, dispatcher.QueueLength);
        Assert.Equal(0, budget.Used);
    }
}

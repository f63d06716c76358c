using System.Diagnostics;
using System.Text;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>
/// The HTTP/1.1 mirror lane end to end, through a real <see cref="MirrorDispatcher"/>, against a
/// raw TCP mirror on 127.0.0.1 whose every move the test scripts: pipelining onto connections
/// that answer promptly, copies sent again once only when the mirror declined them (and never
/// after the mirror may have processed them),
/// framing of chunked and HEAD answers on a kept connection, pipeline_depth 1, and timeouts.
/// </summary>
public sealed class Http1MirrorLaneTests
{
    // Tests of the pipelining mechanism stretch the lane's 100 ms stall window (see SlowClock).
    private const int Stretch = 20;

    [Fact]
    public async Task Enqueue_50CopiesAtOnceToPromptMirror_AllSentPipelinedOnFewConnectionsBodiesIntact()
    {
        const int Copies = 50;
        await using var lane = Lane.Start(
            ScriptedMirror.AnswerEach(ScriptedMirror.Ok),
            ProxyMirrorSettings.Default with { Concurrency = 4, QueueSize = 100 },
            new SlowClock(Stretch));
        var bodies = Enumerable.Range(0, Copies).Select(i => Pattern(i * 1000, seed: i)).ToArray();

        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/copy/{i}?n={i}", HttpMethod.Post, bodies[i]));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies);

        Assert.Equal(Copies, lane.Outcomes.SentWith("2xx"));
        Assert.Equal(Copies, lane.Outcomes.Total);
        var requests = lane.Mirror.Requests;
        for (var i = 0; i < Copies; i++)
        {
            var arrival = Assert.Single(requests, r => r.Target == $"/copy/{i}?n={i}");
            Assert.Equal("POST", arrival.Method);
            Assert.Equal(bodies[i], arrival.Body);
            Assert.Equal(bodies[i].Length.ToString(System.Globalization.CultureInfo.InvariantCulture), arrival.Headers["Content-Length"]);
        }

        // Never more connections than `concurrency`, and far fewer than copies.
        Assert.InRange(lane.Mirror.ConnectionCount, 1, 4);

        // Pipelining happened: once a connection had answered, copies were written to it before
        // the earlier ones were answered; never more unanswered than pipeline_depth (16).
        Assert.Contains(requests, r => r.UnansweredBefore > 0);
        Assert.InRange(requests.Max(r => r.UnansweredBefore), 1, 15);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersSlowerThanStallWindow_NoCopyJoinsABusyConnection()
    {
        // The converse of the test above, on the real clock: answers that take longer than the
        // 100 ms stall window leave one copy per connection, as without pipelining.
        const int Copies = 12;
        await using var lane = Lane.Start(
            async side =>
            {
                while (await side.ReadBatchAsync() is { Count: > 0 } batch)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(250));
                    await side.AnswerAsync([.. batch.Select(_ => ScriptedMirror.Ok)]);
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 3, QueueSize = 100 });

        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/slow/{i}"));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies);

        Assert.Equal(Copies, lane.Outcomes.SentWith("2xx"));
        Assert.Equal(Copies, lane.Mirror.Requests.Count);
        Assert.All(lane.Mirror.Requests, r => Assert.Equal(0, r.UnansweredBefore));
        Assert.InRange(lane.Mirror.ConnectionCount, 1, 3);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersEveryCopyWithConnectionClose_EveryCopyAnsweredExactlyOnce()
    {
        const int Copies = 30;
        var answered = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var lane = Lane.Start(
            async side =>
            {
                // Answers the first request it reads, says it closes, and closes: anything
                // pipelined behind it is not processed.
                var batch = await side.ReadBatchAsync();
                if (batch.Count == 0)
                {
                    return;
                }

                answered.Enqueue(batch[0].Target);
                await side.AnswerAsync("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
                side.Close();
            },
            ProxyMirrorSettings.Default with { Concurrency = 2, QueueSize = 100 });

        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/close/{i}"));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies);

        Assert.True(lane.Outcomes.SentWith("2xx") == Copies, $"counted: {lane.Outcomes}");
        Assert.Equal(Copies, answered.Count);
        Assert.Equal(Enumerable.Range(0, Copies).Select(i => $"/close/{i}").Order(), answered.Order());
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersFirstOfThreePipelinedWithConnectionClose_OtherTwoSentAgainOnceOnNewConnection()
    {
        // The answer says the mirror closes: it processes nothing more on that connection, so the
        // two copies written behind it were declined and go out once more.
        await using var lane = Lane.Start(
            ScriptedMirror.FirstConnection(async side =>
            {
                await side.ReadBatchAsync();
                await side.AnswerAsync(ScriptedMirror.Ok);
                var three = await side.ReadAtLeastAsync(3);
                Assert.Equal(["/c1", "/c2", "/c3"], three.Select(r => r.Target));
                await side.AnswerAsync(ScriptedMirror.OkThenClose);
                await side.LingeringCloseAsync();
            }),
            ProxyMirrorSettings.Default with { Concurrency = 1 },
            new SlowClock(Stretch));

        // A first copy shows the connection answers promptly; the next three are then pipelined on it.
        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/c1"), lane.Copy("/c2"), lane.Copy("/c3"));

        await lane.Outcomes.WaitForTotalAsync(4);

        Assert.True(lane.Outcomes.SentWith("2xx") == 4, $"counted: {lane.Outcomes}");
        Assert.Empty(lane.Mirror.Failures);
        Assert.Equal([0], lane.Mirror.Arrivals("/warm").Select(r => r.Connection));
        Assert.Equal([0], lane.Mirror.Arrivals("/c1").Select(r => r.Connection));
        Assert.Equal([0, 1], lane.Mirror.Arrivals("/c2").Select(r => r.Connection));
        Assert.Equal([0, 1], lane.Mirror.Arrivals("/c3").Select(r => r.Connection));
        Assert.Equal(["/c2", "/c3"], lane.Mirror.Requests.Where(r => r.Connection == 1).Select(r => r.Target));
        Assert.Equal(2, lane.Mirror.ConnectionCount);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersFirstOfThreePipelinedThenClosesWithoutSaying_OtherTwoFailedNeverSentTwice()
    {
        // No `Connection: close`: the mirror may have processed the two copies it read and never
        // answered, so they fail instead of reaching it a second time (a POST would do it twice).
        await using var lane = Lane.Start(
            ScriptedMirror.FirstConnection(async side =>
            {
                await side.ReadBatchAsync();
                await side.AnswerAsync(ScriptedMirror.Ok);
                await side.ReadAtLeastAsync(3);
                await side.AnswerAsync(ScriptedMirror.Ok);
                side.Close();
            }),
            ProxyMirrorSettings.Default with { Concurrency = 1 },
            new SlowClock(Stretch));

        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/c1", HttpMethod.Post, [1]), lane.Copy("/c2", HttpMethod.Post, [2]), lane.Copy("/c3", HttpMethod.Post, [3]));

        await lane.Outcomes.WaitForTotalAsync(4);
        lane.Enqueue(lane.Copy("/after"));
        await lane.Outcomes.WaitForTotalAsync(5);

        Assert.True(lane.Outcomes.SentWith("2xx") == 3 && lane.Outcomes.FailedWith("error") == 2, $"counted: {lane.Outcomes}");
        Assert.Single(lane.Mirror.Arrivals("/c2"));
        Assert.Single(lane.Mirror.Arrivals("/c3"));
        Assert.Equal([1], lane.Mirror.Arrivals("/after").Select(r => r.Connection));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_ChunkedAndHeadAnswersInPieces_AllAnsweredOnOneKeptConnection()
    {
        const string HeadAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nContent-Type: text/plain\r\n\r\n";
        const string ChunkedAnswer = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
        const string PlainAnswer = "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n\r\nbusy";
        await using var lane = Lane.Start(
            async side =>
            {
                while (await side.ReadBatchAsync() is { Count: > 0 } batch)
                {
                    var answers = string.Concat(batch.Select(r => r.Method == "HEAD" ? HeadAnswer : r.Target.StartsWith("/chunked", StringComparison.Ordinal) ? ChunkedAnswer : PlainAnswer));
                    side.CountAnswers(batch.Count);

                    // In 5-byte writes, so answers reach the gateway cut anywhere.
                    var bytes = Encoding.ASCII.GetBytes(answers);
                    for (var at = 0; at < bytes.Length; at += 5)
                    {
                        await side.SendAsync(bytes.AsMemory(at, Math.Min(5, bytes.Length - at)));
                    }
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 },
            new SlowClock(Stretch));

        // One at a time: a chunked answer, a HEAD answer whose Content-Length announces no body, then a copy after it.
        lane.Enqueue(lane.Copy("/chunked/1"));
        await lane.Outcomes.WaitForTotalAsync(1);
        lane.Enqueue(lane.Copy("/head/1", HttpMethod.Head));
        await lane.Outcomes.WaitForTotalAsync(2);
        lane.Enqueue(lane.Copy("/after/1"));
        await lane.Outcomes.WaitForTotalAsync(3);

        // Then pipelined, HEAD answers back to back with the others.
        lane.Enqueue(
            lane.Copy("/head/2", HttpMethod.Head),
            lane.Copy("/chunked/2"),
            lane.Copy("/head/3", HttpMethod.Head),
            lane.Copy("/after/2"),
            lane.Copy("/head/4", HttpMethod.Head));
        await lane.Outcomes.WaitForTotalAsync(8);

        Assert.True(
            lane.Outcomes.SentWith("2xx") == 4 && lane.Outcomes.SentWith("4xx") == 2 && lane.Outcomes.SentWith("5xx") == 2 && lane.Outcomes.Total == 8,
            $"counted: {lane.Outcomes}");
        Assert.Equal(8, lane.Mirror.Requests.Count);
        Assert.Equal(1, lane.Mirror.ConnectionCount);
        Assert.Equal(1, lane.Dispatcher.ConnectionsTo(lane.Mirror.Origin));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_PipelineDepthOne_NeverMoreThanOneUnansweredCopyPerConnection()
    {
        const int Copies = 30;
        await using var lane = Lane.Start(
            ScriptedMirror.AnswerEach(ScriptedMirror.Ok),
            ProxyMirrorSettings.Default with { Concurrency = 2, QueueSize = 100, PipelineDepth = 1 },
            new SlowClock(Stretch));

        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/one/{i}"));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies);

        Assert.Equal(Copies, lane.Outcomes.SentWith("2xx"));
        var requests = lane.Mirror.Requests;
        Assert.Equal(Copies, requests.Count);
        Assert.All(requests, r => Assert.Equal(0, r.UnansweredBefore));
        Assert.InRange(lane.Mirror.ConnectionCount, 1, 2);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorNeverAnswers_FailedTimeoutAfterReadTimeoutAndBodiesReleased()
    {
        const int Copies = 5;
        var readTimeout = TimeSpan.FromMilliseconds(300);
        await using var lane = Lane.Start(
            async side =>
            {
                // Reads everything, answers nothing.
                while ((await side.ReadBatchAsync()).Count > 0)
                {
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 2, ReadTimeout = readTimeout, SendTimeout = TimeSpan.FromSeconds(5) });

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/silent/{i}", HttpMethod.Post, Pattern(10_000, seed: i)));
        }

        Assert.True(lane.Budget.Used >= Copies * 10_000, $"bodies held: {lane.Budget.Used}");
        await lane.Outcomes.WaitUntilAsync(o => o.Failed >= 1, "a copy failed");
        var firstFailure = clock.Elapsed;
        await lane.Outcomes.WaitForTotalAsync(Copies);

        Assert.True(lane.Outcomes.FailedWith("timeout") == Copies, $"counted: {lane.Outcomes}");
        Assert.True(firstFailure >= readTimeout, $"the first copy failed after {firstFailure}");
        for (var i = 0; i < Copies; i++)
        {
            // A copy the mirror read but never answered is not sent again.
            Assert.Single(lane.Mirror.Arrivals($"/silent/{i}"));
        }

        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_AnswerLongerThan1MiB_CountedAnsweredConnectionClosedNextCopyFailedNotSentTwice()
    {
        await using var lane = Lane.Start(
            async side =>
            {
                if (side.Index == 0)
                {
                    await side.ReadBatchAsync();
                    await side.AnswerAsync(ScriptedMirror.Ok);
                    await side.ReadAtLeastAsync(2);

                    // Announces 2 MiB and sends 1.25 MiB of it, then waits for the gateway to hang up.
                    side.CountAnswers(1);
                    await side.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n"u8.ToArray());
                    await side.SendAsync(new byte[1280 * 1024]);
                    while ((await side.ReadBatchAsync()).Count > 0)
                    {
                    }

                    return;
                }

                await ScriptedMirror.AnswerEach(ScriptedMirror.Ok)(side);
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 },
            new SlowClock(Stretch));

        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/big"), lane.Copy("/next"));

        await lane.Outcomes.WaitForTotalAsync(3);

        // The gateway hung up on a mirror that had read /next: it may have processed it, so it is not sent again.
        Assert.True(lane.Outcomes.SentWith("2xx") == 2 && lane.Outcomes.FailedWith("error") == 1, $"counted: {lane.Outcomes}");
        Assert.Equal([0], lane.Mirror.Arrivals("/big").Select(r => r.Connection));
        Assert.Equal([0], lane.Mirror.Arrivals("/next").Select(r => r.Connection));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_AnswerCutShortByClose_ThatCopyAndPipelinedNextFailErrorNeitherSentTwice()
    {
        await using var lane = Lane.Start(
            async side =>
            {
                if (side.Index == 0)
                {
                    await side.ReadBatchAsync();
                    await side.AnswerAsync(ScriptedMirror.Ok);
                    await side.ReadAtLeastAsync(2);
                    await side.AnswerAsync("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
                    side.Close();
                    return;
                }

                await ScriptedMirror.AnswerEach(ScriptedMirror.Ok)(side);
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 },
            new SlowClock(Stretch));

        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/cut"), lane.Copy("/next"));

        await lane.Outcomes.WaitForTotalAsync(3);

        Assert.True(lane.Outcomes.SentWith("2xx") == 1 && lane.Outcomes.FailedWith("error") == 2, $"counted: {lane.Outcomes}");
        Assert.Single(lane.Mirror.Arrivals("/cut"));
        Assert.Single(lane.Mirror.Arrivals("/next"));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersGarbage_FailsErrorAndConnectionClosed()
    {
        await using var lane = Lane.Start(
            async side =>
            {
                if ((await side.ReadBatchAsync()).Count > 0)
                {
                    await side.AnswerAsync("SSH-2.0-OpenSSH_9.6\r\n\r\n");
                    await side.ReadBatchAsync();
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 });

        lane.Enqueue(lane.Copy("/garbage"));

        await lane.Outcomes.WaitForTotalAsync(1);

        Assert.True(lane.Outcomes.FailedWith("error") == 1, $"counted: {lane.Outcomes}");
        Assert.Single(lane.Mirror.Arrivals("/garbage"));
        await lane.AssertIdleAsync();
        Assert.Equal(0, lane.Dispatcher.ConnectionsTo(lane.Mirror.Origin));
    }

    [Fact]
    public async Task Enqueue_OriginByHostName_ResolvedAndSentWithTheCopysHostHeader()
    {
        await using var lane = Lane.Start(ScriptedMirror.AnswerEach(ScriptedMirror.Ok), ProxyMirrorSettings.Default with { Concurrency = 1 });
        var byName = lane.Mirror.Origin.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var copy = lane.Copy("/by-name");

        lane.Enqueue(new MirrorRequest
        {
            Method = copy.Method,
            Origin = MirrorOrigin.Parse(byName),
            PathAndQuery = copy.PathAndQuery,
            Version = copy.Version,
            Host = "upstream.example:8443",
            Headers = copy.Headers,
            Metrics = copy.Metrics,
        });
        await lane.Outcomes.WaitForTotalAsync(1);

        Assert.True(lane.Outcomes.SentWith("2xx") == 1, $"counted: {lane.Outcomes}");
        var arrival = Assert.Single(lane.Mirror.Requests);
        Assert.Equal("upstream.example:8443", arrival.Headers["Host"]);
        Assert.Equal("/by-name", arrival.Headers["X-Copy"]);
        Assert.Equal(1, lane.Dispatcher.ConnectionsTo(byName));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_ConnectionIdleLongerThanIdleTimeout_ClosedAndNextCopyOpensANewOne()
    {
        // 60 s of idleness pass in 100 ms of real time; read and send timeouts stay far away.
        var closedByGateway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var lane = Lane.Start(
            async side =>
            {
                await ScriptedMirror.AnswerEach(ScriptedMirror.Ok)(side);
                if (side.Index == 0)
                {
                    closedByGateway.TrySetResult();
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 1, ReadTimeout = TimeSpan.FromHours(1), SendTimeout = TimeSpan.FromHours(1) },
            new FastClock(600));

        lane.Enqueue(lane.Copy("/before-idle"));
        await lane.Outcomes.WaitForTotalAsync(1);
        await closedByGateway.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, lane.Dispatcher.ConnectionsTo(lane.Mirror.Origin));

        lane.Enqueue(lane.Copy("/after-idle"));
        await lane.Outcomes.WaitForTotalAsync(2);

        Assert.True(lane.Outcomes.SentWith("2xx") == 2, $"counted: {lane.Outcomes}");
        Assert.Equal([0], lane.Mirror.Arrivals("/before-idle").Select(r => r.Connection));
        Assert.Equal([1], lane.Mirror.Arrivals("/after-idle").Select(r => r.Connection));
        await lane.AssertIdleAsync();
    }

    /// <summary>Deterministic bytes: <paramref name="length"/> of them, from <paramref name="seed"/>.</summary>
    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

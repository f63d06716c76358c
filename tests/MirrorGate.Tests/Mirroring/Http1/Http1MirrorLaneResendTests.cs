using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>
/// When a copy is sent again, and when it fails, as connections under it end. The rule: a copy is
/// delivered at most once and exact; one never written to a connection goes to another however
/// many closed under it (being queued on a connection is not being written); one written, even in
/// part, to a connection that broke may fail, and then it is counted failed. Each test says for
/// every copy which of the two happened, and checks it against what the mirror read.
/// </summary>
public sealed class Http1MirrorLaneResendTests
{
    private const int Stretch = 20;
    private const int EightMiB = 8 * 1024 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Enqueue_CopyQueuedBehindBodiesCutOnThreeConnectionsInARow_NeverWrittenSoSentOnTheFourthOnce()
    {
        // Each of the first three connections takes a large copy, answers it as soon as its head
        // is read (its body is still being written), and so takes the small copy /x next; then
        // it resets, /x still unwritten behind the body. /x was put on three connections and
        // written to none: it must go to a fourth, not fail.
        const int Cutting = 3;
        var headRead = Signals(Cutting);
        var answer = Signals(Cutting);
        var reset = Signals(Cutting);
        await using var lane = Lane.Start(
            async side =>
            {
                if (side.Index >= Cutting)
                {
                    await ScriptedMirror.AnswerEach(ScriptedMirror.Ok)(side);
                    return;
                }

                if (await side.ReadHeadAsync() is not { } head)
                {
                    return;
                }

                side.Record(head, []);
                headRead[side.Index].TrySetResult();
                await answer[side.Index].Task;
                await side.AnswerAsync(ScriptedMirror.Ok);
                await reset[side.Index].Task;

                // Most of the body is unread: closing now sends a reset.
                side.Close();
            },
            ProxyMirrorSettings.Default with { Concurrency = 1, PipelineDepth = 1 });
        var big = Pattern(EightMiB, seed: 1);
        var x = Pattern(5000, seed: 2);

        lane.Enqueue(lane.Copy("/big/0", HttpMethod.Post, big));
        await headRead[0].Task.WaitAsync(Wait);
        lane.Enqueue(lane.Copy("/x", HttpMethod.Post, x), lane.Copy("/big/1", HttpMethod.Post, big));
        for (var i = 0; i < Cutting; i++)
        {
            if (i > 0)
            {
                await headRead[i].Task.WaitAsync(Wait);
                if (i + 1 < Cutting)
                {
                    lane.Enqueue(lane.Copy($"/big/{i + 1}", HttpMethod.Post, big));
                }
            }

            // The early answer frees the connection, which takes /x (the oldest waiting copy) while
            // its writer is still busy with the large body; the reset then comes before /x is written.
            answer[i].SetResult();
            await lane.Outcomes.WaitUntilAsync(o => o.Sent == i + 1, $"/big/{i} answered");
            reset[i].SetResult();
        }

        await lane.Outcomes.WaitForTotalAsync(Cutting + 1);

        Assert.True(lane.Outcomes.SentWith("2xx") == Cutting + 1, $"counted: {lane.Outcomes}");
        var arrival = Assert.Single(lane.Mirror.Arrivals("/x"));
        Assert.Equal(Cutting, arrival.Connection);
        Assert.Equal(x, arrival.Body);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_CopyDeclinedOnTwoConnectionsInARow_WrittenAThirdTimeAndAnsweredOnce()
    {
        // /c2 is pipelined behind a copy whose answer says Connection: close, twice: the mirror
        // read it and declined it both times (RFC 9112 §9.6), so it is sent again, and answered once.
        var pipelined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var lane = Lane.Start(
            async side =>
            {
                switch (side.Index)
                {
                    case 0:
                        await side.ReadBatchAsync();
                        await side.AnswerAsync(ScriptedMirror.Ok);
                        Assert.Equal(["/c1", "/c2"], (await side.ReadAtLeastAsync(2)).Select(r => r.Target));
                        pipelined.TrySetResult();
                        await release.Task;
                        await side.AnswerAsync(ScriptedMirror.OkThenClose);
                        await side.LingeringCloseAsync();
                        break;
                    case 1:
                        Assert.Equal(["/c3"], (await side.ReadBatchAsync()).Select(r => r.Target));
                        await side.AnswerAsync(ScriptedMirror.Ok);
                        Assert.Equal(["/c4", "/c2"], (await side.ReadAtLeastAsync(2)).Select(r => r.Target));
                        await side.AnswerAsync(ScriptedMirror.OkThenClose);
                        await side.LingeringCloseAsync();
                        break;
                    default:
                        await ScriptedMirror.AnswerEach(ScriptedMirror.Ok)(side);
                        break;
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 1, PipelineDepth = 2 },
            new SlowClock(Stretch));

        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/c1"), lane.Copy("/c2", HttpMethod.Post, [2]));
        await pipelined.Task.WaitAsync(Wait);

        // The connection has two unanswered copies (pipeline_depth): these wait, and so come before
        // /c2 when it is declined; /c4 takes the place in front of it on the next connection.
        lane.Enqueue(lane.Copy("/c3"), lane.Copy("/c4"));
        release.SetResult();
        await lane.Outcomes.WaitForTotalAsync(5);

        Assert.True(lane.Outcomes.SentWith("2xx") == 5, $"counted: {lane.Outcomes}; read: {lane.Mirror.Describe()}");
        Assert.Equal([0, 1, 2], lane.Mirror.Arrivals("/c2").Select(r => r.Connection));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorClosesMidBodyWithCopiesQueuedBehind_EachArrivesOnceExactOrWasWrittenThereAndFailed()
    {
        // Test (d) of the exact-copy tests, scripted: copies queue on the connection behind a large
        // one; the mirror stops after 1 MiB of it with a FIN and reads on (a lingering close),
        // recording whatever whole request still comes. The large copy fails, never sent again.
        // A copy behind it either was written before the gateway saw the FIN (the mirror read it
        // there: it fails, at most once) or was not (it goes to a new connection and arrives once).
        const int Behind = 6;
        const int Cut = 1024 * 1024;
        var cutReached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var lane = Lane.Start(
            ScriptedMirror.FirstConnection(async side =>
            {
                await side.ReadBatchAsync();
                await side.AnswerAsync(ScriptedMirror.Ok);
                if (await side.ReadHeadAsync() is not { } head)
                {
                    return;
                }

                await side.ReadBodyAsync(head, upTo: Cut);
                cutReached.TrySetResult();
                await stop.Task;
                side.HalfClose();
                await side.ReadBytesAsync(head.ContentLength - Cut);
                while ((await side.ReadBatchAsync()).Count > 0)
                {
                }

                ended.TrySetResult(side.Unparsed);
            }),
            ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 100 },
            new SlowClock(Stretch));
        var bodies = Enumerable.Range(0, Behind).Select(i => Pattern(1000 + (i * 40_000), seed: 10 + i)).ToArray();

        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/cut", HttpMethod.Post, Pattern(EightMiB, seed: 3)));
        await cutReached.Task.WaitAsync(Wait);
        lane.Enqueue([.. Enumerable.Range(0, Behind).Select(i => lane.Copy($"/behind/{i}", HttpMethod.Post, bodies[i]))]);
        stop.SetResult();

        await lane.Outcomes.WaitForTotalAsync(Behind + 2);
        var unparsedAtClose = await ended.Task.WaitAsync(Wait);

        var context = $"counted: {lane.Outcomes}; read: {lane.Mirror.Describe()}";
        Assert.True(lane.Outcomes.FailedWith("error") >= 1, context);
        Assert.Equal([0], lane.Mirror.Arrivals("/cut").Select(r => r.Connection));
        var writtenThere = 0;
        var cutShortThere = 0;
        for (var i = 0; i < Behind; i++)
        {
            var arrivals = lane.Mirror.Arrivals($"/behind/{i}");
            var later = arrivals.Where(r => r.Connection > 0).ToArray();
            if (later.Length == 1 && arrivals.Length == 1)
            {
                Assert.True(bodies[i].AsSpan().SequenceEqual(later[0].Body), $"/behind/{i} altered: {context}");
            }
            else if (later.Length == 0 && arrivals.Length == 1)
            {
                writtenThere++;
            }
            else if (arrivals.Length == 0)
            {
                // Only the copy being written when the gateway closed can be missing from the record:
                // cut short inside its head, or its write begun with no byte through yet.
                cutShortThere++;
            }
            else
            {
                Assert.Fail($"/behind/{i} arrived {arrivals.Length} times: {context}");
            }
        }

        Assert.True(cutShortThere <= 1, $"copies that never arrived: {context}; {unparsedAtClose} bytes left unparsed");
        Assert.True(lane.Outcomes.FailedWith("error") == 1 + writtenThere + cutShortThere, $"only written copies fail: {context}");
        Assert.True(lane.Outcomes.SentWith("2xx") == 1 + Behind - writtenThere - cutShortThere, context);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorClosesKeepAliveAfterEveryThirdRequest_EachCopyAnsweredOnceExactOrDeclinedOnEveryWrite()
    {
        // nginx's keepalive_requests at 3: the third answer says Connection: close and the mirror
        // processes nothing more there; copies pipelined behind it were declined, and are sent
        // again. A copy may fail only after the mirror read (and declined) it MaxAttempts times.
        const int Copies = 120;
        const int KeepAliveRequests = 3;
        var answered = new ConcurrentQueue<(string Target, byte[] Body)>();
        var declined = new ConcurrentQueue<string>();
        await using var lane = Lane.Start(
            async side =>
            {
                var served = 0;
                while (await side.ReadBatchAsync() is { Count: > 0 } batch)
                {
                    foreach (var request in batch)
                    {
                        if (served == KeepAliveRequests)
                        {
                            declined.Enqueue(request.Target);
                            continue;
                        }

                        answered.Enqueue((request.Target, request.Body));
                        served++;
                        await side.AnswerAsync(served == KeepAliveRequests ? ScriptedMirror.OkThenClose : ScriptedMirror.Ok);
                        if (served == KeepAliveRequests)
                        {
                            // A lingering close: what still comes is read (and recorded as declined).
                            side.HalfClose();
                        }
                    }
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 2, QueueSize = 200 },
            new SlowClock(Stretch));
        var bodies = Enumerable.Range(0, Copies).Select(i => Pattern((i * 37) % 3000, seed: 100 + i)).ToArray();

        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/ka/{i}", HttpMethod.Post, bodies[i]));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies);

        var context = $"counted: {lane.Outcomes}; declined {declined.Count} times";
        var failed = 0;
        for (var i = 0; i < Copies; i++)
        {
            var target = $"/ka/{i}";
            var answers = answered.Where(a => a.Target == target).ToArray();
            Assert.True(answers.Length <= 1, $"{target} processed {answers.Length} times: {context}");
            if (answers.Length == 1)
            {
                Assert.True(bodies[i].AsSpan().SequenceEqual(answers[0].Body), $"{target} altered: {context}");
            }
            else
            {
                // Never answered: it must have been written (and declined) on every attempt.
                failed++;
                Assert.True(declined.Count(t => t == target) >= 1, $"{target} failed but was never written: {context}");
            }
        }

        Assert.True(lane.Outcomes.SentWith("2xx") == Copies - failed && lane.Outcomes.FailedWith("error") == failed, context);
        Assert.True(lane.Mirror.ConnectionCount >= (Copies - failed) / KeepAliveRequests, context);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersEarlyInPiecesWhileCopiesQueueBehind_EveryCopyArrivesOnceExact()
    {
        // Early answers (before the body is read, as nginx's `return 200`) written a byte at a
        // time, so the gateway reads them split anywhere, even between the answers of pipelined
        // copies; bodies from nothing to 300 KiB, several pipelined behind each other.
        const int Copies = 24;
        await using var lane = Lane.Start(
            async side =>
            {
                while (await side.ReadHeadAsync() is { } head)
                {
                    var answer = System.Text.Encoding.ASCII.GetBytes(ScriptedMirror.Ok);
                    side.CountAnswers(1);
                    for (var at = 0; at < answer.Length; at++)
                    {
                        await side.SendAsync(answer.AsMemory(at, 1));
                    }

                    await side.ReadBodyAsync(head);
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 2, QueueSize = 100 },
            new SlowClock(Stretch));
        var bodies = Enumerable.Range(0, Copies).Select(i => Pattern((i * 13_331) % (300 * 1024), seed: 200 + i)).ToArray();

        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/early/{i}", HttpMethod.Post, bodies[i]));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies);
        await lane.Mirror.WaitUntilAsync(m => m.Requests.Count == Copies, $"{Copies} whole copies");

        Assert.True(lane.Outcomes.SentWith("2xx") == Copies, $"counted: {lane.Outcomes}");
        for (var i = 0; i < Copies; i++)
        {
            var arrival = Assert.Single(lane.Mirror.Arrivals($"/early/{i}"));
            Assert.True(bodies[i].AsSpan().SequenceEqual(arrival.Body), $"/early/{i} altered");
        }

        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorClosesEveryConnectionOnArrival_CopyFailsAfterAtMostMaxAttemptsConnections()
    {
        // A mirror that closes every connection as it comes (then reads on, lingering): no
        // connection does any work, so the copy must not go round for ever. Whether it was written
        // before the gateway saw the close is a race: written (the mirror read it), it fails at
        // once; never written, it fails after MaxAttempts such connections, never more.
        await using var lane = Lane.Start(
            async side =>
            {
                side.HalfClose();
                while ((await side.ReadBatchAsync()).Count > 0)
                {
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 });

        lane.Enqueue(lane.Copy("/unserved", HttpMethod.Post, Pattern(100, seed: 4)));
        await lane.Outcomes.WaitForTotalAsync(1);
        await lane.AssertIdleAsync();

        Assert.True(lane.Outcomes.FailedWith("error") == 1, $"counted: {lane.Outcomes}");
        Assert.InRange(lane.Mirror.ConnectionCount, 1, MirrorCopy.MaxAttempts);
        Assert.True(lane.Mirror.Arrivals("/unserved").Length <= 1);
    }

    [Fact]
    public async Task Enqueue_MirrorRefusesConnections_EachCopyFailsConnectOnceOnItsOwnConnect()
    {
        // A copy whose connection cannot be opened fails (connect): the mirror is unreachable
        // then, and every copy behind it gets its own connect, not a failure it did not meet.
        var closedPort = new TcpListener(IPAddress.Loopback, 0);
        closedPort.Start();
        var port = ((IPEndPoint)closedPort.LocalEndpoint).Port;
        closedPort.Stop();
        await using var lane = Lane.Start(ScriptedMirror.AnswerEach(ScriptedMirror.Ok), ProxyMirrorSettings.Default with { Concurrency = 1 });
        var refused = lane.Mirror.Origin[..(lane.Mirror.Origin.LastIndexOf(':') + 1)] + port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        for (var i = 0; i < 3; i++)
        {
            var copy = lane.Copy($"/refused/{i}");
            lane.Enqueue(new MirrorRequest
            {
                Method = copy.Method,
                Origin = MirrorOrigin.Parse(refused),
                PathAndQuery = copy.PathAndQuery,
                Version = copy.Version,
                Host = copy.Host,
                Headers = copy.Headers,
                Metrics = copy.Metrics,
            });
        }

        await lane.Outcomes.WaitForTotalAsync(3);

        Assert.True(lane.Outcomes.FailedWith("connect") == 3, $"counted: {lane.Outcomes}");
        Assert.Equal(0, lane.Dispatcher.ConnectionsTo(refused));
        await lane.AssertIdleAsync();
    }

    private static TaskCompletionSource[] Signals(int count)
        => [.. Enumerable.Range(0, count).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously))];

    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

using System.Globalization;
using System.Text;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>
/// Compared copies on a real HTTP/1.1 lane against a scripted mirror: each sink is told its own
/// copy's answer exactly once (pipelined among copies without sinks, declined and sent again,
/// cut short, ending at the close, longer than the lane reads), and a sink that throws costs
/// neither the connection nor the copies behind it.
/// </summary>
public sealed class Http1MirrorLaneCaptureTests
{
    // Tests of pipelining stretch the lane's 100 ms stall window (see SlowClock).
    private const int Stretch = 20;

    /// <summary>Answers each request with its own target as the body, saying which connection answered; targets ending in /chunked get a chunked answer.</summary>
    private static Func<MirrorSide, Task> AnswerWithTarget => AnswerBy(TargetAnswer);

    /// <summary>Answers each request with what <paramref name="answer"/> makes of its target and the connection's number.</summary>
    private static Func<MirrorSide, Task> AnswerBy(Func<string, int, string> answer) => async side =>
    {
        while (await side.ReadBatchAsync() is { Count: > 0 } batch)
        {
            await side.AnswerAsync([.. batch.Select(r => answer(r.Target, side.Index))]);
        }
    };

    [Fact]
    public async Task Enqueue_PipelinedCopiesOnlySomeCompared_EachSinkToldItsOwnAnswerOnce()
    {
        const int Copies = 24;
        await using var lane = Lane.Start(AnswerWithTarget, ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 100 }, new SlowClock(Stretch));
        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");

        var sinks = new RecordingAnswerSink?[Copies];
        for (var i = 0; i < Copies; i++)
        {
            sinks[i] = i % 3 == 1 ? null : new RecordingAnswerSink();
            var target = i % 2 == 0 ? $"/p/{i}/chunked" : $"/p/{i}";
            lane.Enqueue(lane.Copy(target, i % 4 == 3 ? HttpMethod.Post : HttpMethod.Get, i % 4 == 3 ? [1, 2, 3] : null, sink: sinks[i]));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies + 1);
        await RecordingAnswerSink.WaitAllToldAsync([.. sinks.OfType<RecordingAnswerSink>()]);

        Assert.True(lane.Outcomes.SentWith("2xx") == Copies + 1, $"counted: {lane.Outcomes}");
        Assert.Contains(lane.Mirror.Requests, r => r.UnansweredBefore > 0);
        for (var i = 0; i < Copies; i++)
        {
            if (sinks[i] is not { } sink)
            {
                continue;
            }

            var target = i % 2 == 0 ? $"/p/{i}/chunked" : $"/p/{i}";
            var answer = sink.Answer;
            Assert.Equal(200, answer.Status);
            Assert.Equal(target, Encoding.ASCII.GetString(answer.Body.Span));
            Assert.Equal(target.Length, answer.BodyLength);
            Assert.Equal([target], Header(answer, "X-Target")!);
            Assert.Equal(i % 2 == 0 ? "chunked" : null, Header(answer, "Transfer-Encoding")?.Single());
        }

        Assert.Equal(1, lane.Mirror.ConnectionCount);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_LongChunkedAnswerInSmallChunks_PrefixKeptLengthCountedNextAnswerIntact()
    {
        var body = Pattern(300_000);
        var chunked = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (var at = 0; at < body.Length; at += 977)
        {
            var piece = body.AsSpan(at, Math.Min(977, body.Length - at));
            chunked.Append(CultureInfo.InvariantCulture, $"{piece.Length:x};n=v\r\n").Append(Encoding.Latin1.GetString(piece)).Append("\r\n");
        }

        chunked.Append("0\r\nX-Trailer: t\r\n\r\n");
        await using var lane = Lane.Start(
            AnswerBy((target, connection) => target == "/big" ? chunked.ToString() : TargetAnswer(target, connection)),
            ProxyMirrorSettings.Default with { Concurrency = 1 });
        var big = new RecordingAnswerSink(maxBodyBytes: 65536);
        var next = new RecordingAnswerSink(maxBodyBytes: 65536);

        lane.Enqueue(lane.Copy("/big", sink: big), lane.Copy("/next", sink: next));
        await RecordingAnswerSink.WaitAllToldAsync(big, next);

        Assert.Equal(body.AsSpan(0, 65536).ToArray(), big.Answer.Body.ToArray());
        Assert.Equal(body.Length, big.Answer.BodyLength);
        Assert.True(big.Answer.Truncated);
        Assert.Null(Header(big.Answer, "X-Trailer"));
        Assert.Equal("/next", Encoding.ASCII.GetString(next.Answer.Body.Span));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_BodyRunsUntilClose_AnswerKeptToTheClose()
    {
        await using var lane = Lane.Start(
            async side =>
            {
                await side.ReadBatchAsync();
                await side.SendAsync("HTTP/1.1 200 OK\r\nX-Until: close\r\n\r\nfirst part, "u8.ToArray());
                await side.SendAsync("second part"u8.ToArray());
                side.CountAnswers(1);
                await side.LingeringCloseAsync();
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 });
        var sink = new RecordingAnswerSink();

        lane.Enqueue(lane.Copy("/until-close", sink: sink));
        await RecordingAnswerSink.WaitAllToldAsync(sink);
        await lane.Outcomes.WaitForTotalAsync(1);

        Assert.Equal("first part, second part", Encoding.ASCII.GetString(sink.Answer.Body.Span));
        Assert.Equal(23, sink.Answer.BodyLength);
        Assert.Equal(["close"], Header(sink.Answer, "X-Until")!);
        Assert.Equal(1, lane.Outcomes.SentWith("2xx"));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_HeadAndInterimAnswersThenBodiless_EachFinalAnswerKept()
    {
        await using var lane = Lane.Start(
            AnswerBy((target, _) => target switch
            {
                "/head" => "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\nX-N: head\r\n\r\n",
                "/204" => "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-N: 204\r\n\r\n",
                _ => "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\nX-N: 304\r\n\r\n",
            }),
            ProxyMirrorSettings.Default with { Concurrency = 1 });
        var head = new RecordingAnswerSink();
        var noContent = new RecordingAnswerSink();
        var notModified = new RecordingAnswerSink();

        lane.Enqueue(lane.Copy("/head", HttpMethod.Head, sink: head), lane.Copy("/204", HttpMethod.Post, [1], sink: noContent), lane.Copy("/304", sink: notModified));
        await RecordingAnswerSink.WaitAllToldAsync(head, noContent, notModified);

        Assert.Equal((200, 0L, 0), (head.Answer.Status, head.Answer.BodyLength, head.Answer.Body.Length));
        Assert.Equal("Content-Length: 50\nX-N: head", Http1ResponseCaptureTests.Describe(head.Answer.Headers));
        Assert.Equal((204, 0L), (noContent.Answer.Status, noContent.Answer.BodyLength));
        Assert.Equal("X-N: 204", Http1ResponseCaptureTests.Describe(noContent.Answer.Headers));
        Assert.Equal((304, 0L), (notModified.Answer.Status, notModified.Answer.BodyLength));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_AnswerCutShortByClose_SinkToldNoAnswerOnce()
    {
        await using var lane = Lane.Start(
            async side =>
            {
                await side.ReadBatchAsync();
                await side.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"u8.ToArray());
                side.Close();
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 });
        var sink = new RecordingAnswerSink();

        lane.Enqueue(lane.Copy("/cut", sink: sink));
        await RecordingAnswerSink.WaitAllToldAsync(sink);
        await lane.Outcomes.WaitForTotalAsync(1);

        Assert.Equal(MirrorReasons.Error, sink.NoAnswer);
        Assert.Equal(1, lane.Outcomes.FailedWith(MirrorReasons.Error));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_PipelinedCopiesDeclinedByConnectionClose_EachSinkToldOnceOfTheFinalAnswer()
    {
        await using var lane = Lane.Start(
            ScriptedMirror.FirstConnection(
                async side =>
                {
                    await side.ReadBatchAsync();
                    await side.AnswerAsync(ScriptedMirror.Ok);
                    await side.ReadAtLeastAsync(3);
                    await side.AnswerAsync("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye");
                    await side.LingeringCloseAsync();
                },
                AnswerWithTarget),
            ProxyMirrorSettings.Default with { Concurrency = 1 },
            new SlowClock(Stretch));
        var c1 = new RecordingAnswerSink();
        var c2 = new RecordingAnswerSink();
        var c3 = new RecordingAnswerSink();

        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/c1", sink: c1), lane.Copy("/c2", sink: c2), lane.Copy("/c3", sink: c3));
        await lane.Outcomes.WaitForTotalAsync(4);
        await RecordingAnswerSink.WaitAllToldAsync(c1, c2, c3);

        Assert.Equal([0, 1], lane.Mirror.Arrivals("/c2").Select(r => r.Connection));
        Assert.Equal("bye", Encoding.ASCII.GetString(c1.Answer.Body.Span));
        Assert.Equal(["close"], Header(c1.Answer, "Connection")!);
        Assert.Equal(["/c2"], Header(c2.Answer, "X-Target")!);
        Assert.Equal(["1"], Header(c2.Answer, "X-Connection")!);
        Assert.Equal(["/c3"], Header(c3.Answer, "X-Target")!);
        Assert.Equal(["1"], Header(c3.Answer, "X-Connection")!);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_PipelinedCopiesLostWithTheConnection_EachSinkToldTheFailureOnce()
    {
        await using var lane = Lane.Start(
            ScriptedMirror.FirstConnection(async side =>
            {
                await side.ReadBatchAsync();
                await side.AnswerAsync(ScriptedMirror.Ok);
                await side.ReadAtLeastAsync(3);
                await side.AnswerAsync(TargetAnswer("/l1", side.Index));
                side.Close();
            }),
            ProxyMirrorSettings.Default with { Concurrency = 1 },
            new SlowClock(Stretch));
        var l1 = new RecordingAnswerSink();
        var l2 = new RecordingAnswerSink();
        var l3 = new RecordingAnswerSink();

        lane.Enqueue(lane.Copy("/warm"));
        await lane.Outcomes.WaitUntilAsync(o => o.Sent == 1, "the warm-up copy answered");
        lane.Enqueue(lane.Copy("/l1", sink: l1), lane.Copy("/l2", sink: l2), lane.Copy("/l3", sink: l3));
        await lane.Outcomes.WaitForTotalAsync(4);
        await RecordingAnswerSink.WaitAllToldAsync(l1, l2, l3);

        Assert.Equal("/l1", Encoding.ASCII.GetString(l1.Answer.Body.Span));
        Assert.Equal(MirrorReasons.Error, l2.NoAnswer);
        Assert.Equal(MirrorReasons.Error, l3.NoAnswer);
        Assert.Equal(2, lane.Outcomes.FailedWith(MirrorReasons.Error));
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_SinkThrows_ConnectionKeepsServingTheCopiesBehind()
    {
        await using var lane = Lane.Start(AnswerWithTarget, ProxyMirrorSettings.Default with { Concurrency = 1 });
        var throwing = new RecordingAnswerSink(throws: true);
        var after = new RecordingAnswerSink();
        var later = new RecordingAnswerSink();

        lane.Enqueue(lane.Copy("/throws", sink: throwing), lane.Copy("/after", sink: after));
        await RecordingAnswerSink.WaitAllToldAsync(throwing, after);
        lane.Enqueue(lane.Copy("/later", sink: later));
        await RecordingAnswerSink.WaitAllToldAsync(later);
        await lane.Outcomes.WaitForTotalAsync(3);

        Assert.Equal("/throws", Encoding.ASCII.GetString(throwing.Answer.Body.Span));
        Assert.Equal("/after", Encoding.ASCII.GetString(after.Answer.Body.Span));
        Assert.Equal("/later", Encoding.ASCII.GetString(later.Answer.Body.Span));
        Assert.Equal(3, lane.Outcomes.SentWith("2xx"));
        Assert.Equal(1, lane.Mirror.ConnectionCount);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_AnswersLongerThanTheLaneReads_LengthKnownKeptWholePrefixUnknownNoAnswer()
    {
        const int Length = 3 * IMirrorLane.MaxAnswerBytes;
        var body = Pattern(Length);
        await using var lane = Lane.Start(
            async side =>
            {
                var request = Assert.Single(await side.ReadBatchAsync());
                var head = request.Target == "/fixed"
                    ? $"HTTP/1.1 200 OK\r\nContent-Length: {Length}\r\n\r\n"
                    : $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{Length:x}\r\n";
                try
                {
                    // The lane stops reading and closes part-way: the rest cannot be sent.
                    await side.SendAsync(Encoding.ASCII.GetBytes(head));
                    await side.SendAsync(body);
                }
                catch (Exception ex) when (ex is System.Net.Sockets.SocketException or IOException)
                {
                }

                side.Close();
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 });

        // A prefix as long as the lane ever keeps: read on past the 1 MiB limit until it is whole.
        var fixedLength = new RecordingAnswerSink(maxBodyBytes: IMirrorLane.MaxAnswerBytes);
        lane.Enqueue(lane.Copy("/fixed", sink: fixedLength));
        await RecordingAnswerSink.WaitAllToldAsync(fixedLength);
        var chunked = new RecordingAnswerSink(maxBodyBytes: 1000);
        lane.Enqueue(lane.Copy("/chunked", sink: chunked));
        await RecordingAnswerSink.WaitAllToldAsync(chunked);
        await lane.Outcomes.WaitForTotalAsync(2);

        Assert.Equal(body.AsSpan(0, IMirrorLane.MaxAnswerBytes).ToArray(), fixedLength.Answer.Body.ToArray());
        Assert.Equal(Length, fixedLength.Answer.BodyLength);
        Assert.Equal(MirrorReasons.BodyTooLarge, chunked.NoAnswer);
        Assert.Equal(2, lane.Outcomes.SentWith("2xx"));
        await lane.AssertIdleAsync();
    }

    private static string[]? Header(CapturedResponse answer, string name)
        => answer.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    private static string TargetAnswer(string target, int connection) => target.EndsWith("/chunked", StringComparison.Ordinal)
        ? $"HTTP/1.1 200 OK\r\nX-Target: {target}\r\nX-Connection: {connection}\r\nTransfer-Encoding: chunked\r\n\r\n{target.Length:x}\r\n{target}\r\n0\r\n\r\n"
        : $"HTTP/1.1 200 OK\r\nX-Target: {target}\r\nX-Connection: {connection}\r\nContent-Length: {target.Length}\r\n\r\n{target}";

    private static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }
}

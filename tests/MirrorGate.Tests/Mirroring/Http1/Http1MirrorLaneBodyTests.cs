using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>
/// A copy is exact or not sent, whenever the mirror answers: right after the head (nginx's
/// <c>return 200</c>), after part of the body, with <c>Connection: close</c> mid-body, or not at
/// all because it closed mid-body. Bodies are random and different per copy, so a byte of one
/// copy in another, or a body cut short, shows.
/// </summary>
public sealed class Http1MirrorLaneBodyTests
{
    private const int FourMiB = 4 * 1024 * 1024;

    /// <summary>Answers each request as soon as its head is read, then reads its body (what nginx's `return 200;` does).</summary>
    private static async Task AnswerAfterHead(MirrorSide side)
    {
        while (await side.ReadHeadAsync() is { } head)
        {
            await side.AnswerAsync(ScriptedMirror.Ok);
            await side.ReadBodyAsync(head);
        }
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersRightAfterHead_Every4MiBCopyArrivesExactAndCountedSent()
    {
        const int Copies = 6;
        await using var lane = Lane.Start(AnswerAfterHead, ProxyMirrorSettings.Default with { Concurrency = 2 });
        var bodies = Enumerable.Range(0, Copies).Select(i => RandomBody(FourMiB, seed: i)).ToArray();

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
            AssertSameBytes(bodies[i], arrival.Body, $"/early/{i}");
        }

        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersAfterHeadUnderLoad_ManyCopiesOfEverySizeArriveExact()
    {
        // Sizes from nothing to 3 MiB: small bodies travel inside the coalesced send buffer, large
        // ones from their own chunks, and pipelined copies follow early-answered ones.
        const int Copies = 60;
        await using var lane = Lane.Start(AnswerAfterHead, ProxyMirrorSettings.Default with { Concurrency = 4, QueueSize = 100 });
        var random = new Random(7);
        var bodies = Enumerable.Range(0, Copies)
            .Select(i => RandomBody(i % 3 == 0 ? random.Next(0, 2048) : random.Next(0, 3 * 1024 * 1024), seed: 100 + i))
            .ToArray();

        for (var i = 0; i < Copies; i++)
        {
            lane.Enqueue(lane.Copy($"/load/{i}", HttpMethod.Post, bodies[i]));
        }

        await lane.Outcomes.WaitForTotalAsync(Copies);
        await lane.Mirror.WaitUntilAsync(m => m.Requests.Count == Copies, $"{Copies} whole copies");

        Assert.True(lane.Outcomes.SentWith("2xx") == Copies, $"counted: {lane.Outcomes}");
        for (var i = 0; i < Copies; i++)
        {
            AssertSameBytes(bodies[i], Assert.Single(lane.Mirror.Arrivals($"/load/{i}")).Body, $"/load/{i}");
        }

        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersAfterPartOfBody_CopyArrivesExactAndNextCopyOnSameConnection()
    {
        await using var lane = Lane.Start(
            async side =>
            {
                while (await side.ReadHeadAsync() is { } head)
                {
                    var first = await side.ReadBytesAsync(100_000);
                    await side.AnswerAsync(ScriptedMirror.Ok);
                    var rest = await side.ReadBytesAsync(head.ContentLength - first.Length);
                    side.Record(head, [.. first, .. rest]);
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 });
        var one = RandomBody(FourMiB, seed: 1);
        var two = RandomBody(FourMiB, seed: 2);

        lane.Enqueue(lane.Copy("/part/1", HttpMethod.Post, one), lane.Copy("/part/2", HttpMethod.Post, two));
        await lane.Outcomes.WaitForTotalAsync(2);
        await lane.Mirror.WaitUntilAsync(m => m.Requests.Count == 2, "two whole copies");

        Assert.True(lane.Outcomes.SentWith("2xx") == 2, $"counted: {lane.Outcomes}");
        AssertSameBytes(one, Assert.Single(lane.Mirror.Arrivals("/part/1")).Body, "/part/1");
        AssertSameBytes(two, Assert.Single(lane.Mirror.Arrivals("/part/2")).Body, "/part/2");
        Assert.Equal(1, lane.Mirror.ConnectionCount);
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorAnswersConnectionCloseMidBody_CopyCountedSentDeclinedCopiesSentAgainExact()
    {
        // The first connection reads 64 KiB of the first copy's body, answers that it closes, and
        // closes: the copy counts as answered; the copies queued behind it go out on a new connection.
        await using var lane = Lane.Start(
            ScriptedMirror.FirstConnection(
                async side =>
                {
                    var head = await side.ReadHeadAsync();
                    await side.ReadBodyAsync(head!, upTo: 64 * 1024);
                    await side.AnswerAsync(ScriptedMirror.OkThenClose);
                    await side.LingeringCloseAsync();
                },
                AnswerAfterHead),
            ProxyMirrorSettings.Default with { Concurrency = 1 });
        var bodies = Enumerable.Range(0, 3).Select(i => RandomBody(FourMiB, seed: 20 + i)).ToArray();

        lane.Enqueue([.. bodies.Select((b, i) => lane.Copy($"/close/{i}", HttpMethod.Post, b))]);
        await lane.Outcomes.WaitForTotalAsync(3);
        await lane.Mirror.WaitUntilAsync(m => m.Requests.Count == 3, "the first copy's 64 KiB and two whole copies");

        Assert.True(lane.Outcomes.SentWith("2xx") == 3, $"counted: {lane.Outcomes}");
        Assert.Equal([0], lane.Mirror.Arrivals("/close/0").Select(r => r.Connection));
        AssertSameBytes(bodies[1], Assert.Single(lane.Mirror.Arrivals("/close/1")).Body, "/close/1");
        AssertSameBytes(bodies[2], Assert.Single(lane.Mirror.Arrivals("/close/2")).Body, "/close/2");
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_MirrorClosesMidBodyWithoutAnswer_CopyFailedAndNeverSentAgain()
    {
        await using var lane = Lane.Start(
            ScriptedMirror.FirstConnection(
                async side =>
                {
                    var head = await side.ReadHeadAsync();
                    await side.ReadBodyAsync(head!, upTo: 64 * 1024);
                    side.Close();
                },
                AnswerAfterHead),
            ProxyMirrorSettings.Default with { Concurrency = 1 });
        var cut = RandomBody(FourMiB, seed: 30);
        var after = RandomBody(FourMiB, seed: 31);

        lane.Enqueue(lane.Copy("/cut", HttpMethod.Post, cut));
        await lane.Outcomes.WaitForTotalAsync(1);
        lane.Enqueue(lane.Copy("/after", HttpMethod.Post, after));
        await lane.Outcomes.WaitForTotalAsync(2);
        await lane.Mirror.WaitUntilAsync(m => m.Requests.Count == 2, "the cut copy and the next one");

        Assert.True(lane.Outcomes.FailedWith("error") == 1 && lane.Outcomes.SentWith("2xx") == 1, $"counted: {lane.Outcomes}");
        Assert.Single(lane.Mirror.Arrivals("/cut"));
        AssertSameBytes(after, Assert.Single(lane.Mirror.Arrivals("/after")).Body, "/after");
        await lane.AssertIdleAsync();
    }

    [Fact]
    public async Task Enqueue_ManyThreadsOnOnePipelinedConnection_EveryCopyArrivesOnceAndExact()
    {
        // Write passes follow each other as fast as copies come: one pass's end must never
        // overlap the next pass's start (they share the batch, its marks and the send buffer).
        const int Threads = 8;
        const int PerThread = 300;
        await using var lane = Lane.Start(
            ScriptedMirror.AnswerEach(ScriptedMirror.Ok),
            ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = Threads * PerThread },
            new SlowClock(20));
        var bodies = Enumerable.Range(0, Threads * PerThread).Select(i => RandomBody(i % 7 * 300, seed: 1000 + i)).ToArray();

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = t * PerThread; i < (t + 1) * PerThread; i++)
            {
                lane.Enqueue(lane.Copy($"/many/{i}", HttpMethod.Post, bodies[i]));
            }
        })));
        await lane.Outcomes.WaitForTotalAsync(bodies.Length, TimeSpan.FromSeconds(60));

        Assert.True(lane.Outcomes.SentWith("2xx") == bodies.Length, $"counted: {lane.Outcomes}");
        var arrivals = lane.Mirror.Requests.GroupBy(r => r.Target).ToDictionary(g => g.Key, g => g.ToArray());
        for (var i = 0; i < bodies.Length; i++)
        {
            Assert.True(arrivals.TryGetValue($"/many/{i}", out var copies) && copies.Length == 1, $"/many/{i} arrived {copies?.Length ?? 0} times");
            AssertSameBytes(bodies[i], copies![0].Body, $"/many/{i}");
        }

        await lane.AssertIdleAsync();
    }

    private static byte[] RandomBody(int length, int seed)
    {
        var body = new byte[length];
        new Random(seed).NextBytes(body);
        return body;
    }

    private static void AssertSameBytes(byte[] expected, byte[] actual, string copy)
    {
        Assert.True(expected.Length == actual.Length, $"{copy}: {actual.Length} bytes arrived, {expected.Length} sent");
        var differ = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(differ == expected.Length, $"{copy}: the bytes arrived altered from offset {differ}");
    }
}

using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>The mirror connection's pooled send and receive buffers are returned exactly once, whatever ends the connection.</summary>
[Collection(nameof(ArrayPoolCollection))]
public sealed class MirrorConnectionBufferTests
{
    // A copy whose head outgrows the 16 KiB send buffer makes the writer rent a larger one; when
    // a write of that batch then fails, each rented array must still go back to the pool once
    // (returned twice, the pool could hand one array to two users and corrupt their bytes).
    [Fact]
    public async Task WriteFailsAfterLargeHeadGrewTheSendBuffer_EveryPooledArrayReturnedOnce()
    {
        using var watch = new ArrayPoolWatch();
        await using var lane = Lane.Start(
            side => side.HoldAsync(),
            ProxyMirrorSettings.Default with { Concurrency = 1, SendTimeout = TimeSpan.FromMilliseconds(300) });

        // A 20 kB header outgrows the 16 KiB send buffer; a 32 MB body stalls the write on a mirror that never reads.
        var copy = lane.Copy("/large-head", HttpMethod.Post, new byte[32 * 1024 * 1024], [new("X-Large", [new string('h', 20_000)])]);
        lane.Enqueue(copy);
        await lane.Outcomes.WaitUntilAsync(o => o.FailedWith("timeout") == 1, "the stalled copy failed with reason timeout");
        await lane.AssertIdleAsync();

        // The writer's finally runs just after the failure is counted: give it a moment, and stop at once if it errs.
        var returnedTwice = await watch.AnyReturnedTwiceWithinAsync(TimeSpan.FromSeconds(1));

        Assert.False(returnedTwice, $"arrays returned twice to ArrayPool<byte>.Shared, by size: {string.Join(", ", watch.ReturnedTwice)}");
    }

    [Fact]
    public async Task WriteFailsWithHeadInsideTheSendBuffer_EveryPooledArrayReturnedOnce()
    {
        // The same failure without the buffer swap: the watch itself sees no double return.
        using var watch = new ArrayPoolWatch();
        await using var lane = Lane.Start(
            side => side.HoldAsync(),
            ProxyMirrorSettings.Default with { Concurrency = 1, SendTimeout = TimeSpan.FromMilliseconds(300) });

        lane.Enqueue(lane.Copy("/small-head", HttpMethod.Post, new byte[32 * 1024 * 1024], [new("X-Small", ["h"])]));
        await lane.Outcomes.WaitUntilAsync(o => o.FailedWith("timeout") == 1, "the stalled copy failed with reason timeout");
        await lane.AssertIdleAsync();

        var returnedTwice = await watch.AnyReturnedTwiceWithinAsync(TimeSpan.FromSeconds(1));

        Assert.False(returnedTwice, $"arrays returned twice to ArrayPool<byte>.Shared, by size: {string.Join(", ", watch.ReturnedTwice)}");
    }

    // Early answers settle copies while their bodies are still being written, and a close
    // declines copies a writer still holds: each body chunk must still go back exactly once.
    [Fact]
    public async Task EarlyAnswersAndDeclinedCopiesWhileWriting_EveryPooledArrayReturnedOnce()
    {
        using var watch = new ArrayPoolWatch();
        await using var lane = Lane.Start(
            async side =>
            {
                var served = 0;
                while (await side.ReadHeadAsync() is { } head)
                {
                    var last = side.Index == 0 && ++served == 2;
                    await side.AnswerAsync(last ? ScriptedMirror.OkThenClose : ScriptedMirror.Ok);
                    if (last)
                    {
                        await side.LingeringCloseAsync();
                        return;
                    }

                    await side.ReadBodyAsync(head);
                }
            },
            ProxyMirrorSettings.Default with { Concurrency = 1 });

        for (var i = 0; i < 6; i++)
        {
            lane.Enqueue(lane.Copy($"/pool/{i}", HttpMethod.Post, new byte[1024 * 1024]));
        }

        await lane.Outcomes.WaitForTotalAsync(6);
        await lane.AssertIdleAsync();

        var returnedTwice = await watch.AnyReturnedTwiceWithinAsync(TimeSpan.FromSeconds(1));

        Assert.True(lane.Outcomes.SentWith("2xx") == 6, $"counted: {lane.Outcomes}");
        Assert.False(returnedTwice, $"arrays returned twice to ArrayPool<byte>.Shared, by size: {string.Join(", ", watch.ReturnedTwice)}");
    }
}

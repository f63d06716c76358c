using MirrorGate.Plugins.LimitCount;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Plugins.LimitCount;

public sealed class FixedWindowCountersTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(60);

    [Fact]
    public void Take_PastCount_RejectedWithRemainingZero()
    {
        var counters = new FixedWindowCounters(new ManualTimeProvider());

        Assert.Equal(new FixedWindowVerdict(true, 1, 60), counters.Take("k", 2, Minute));
        Assert.True(counters.Take("k", 2, Minute) is { Allowed: true, Remaining: 0 });
        Assert.True(counters.Take("k", 2, Minute) is { Allowed: false, Remaining: 0 });
        Assert.True(counters.Take("k", 2, Minute) is { Allowed: false, Remaining: 0 });
    }

    [Fact]
    public void Take_WindowStartsAtFirstRequest_ResetCountsDownThenWindowReopens()
    {
        var time = new ManualTimeProvider();
        var counters = new FixedWindowCounters(time);
        time.Advance(TimeSpan.FromSeconds(7)); // no window is aligned to the clock: it starts with the key's first request

        Assert.Equal(60, counters.Take("k", 1, Minute).ResetSeconds);
        time.Advance(TimeSpan.FromSeconds(20.5));
        var refused = counters.Take("k", 1, Minute);
        Assert.False(refused.Allowed);
        Assert.Equal(39.5, refused.ResetSeconds, 6);

        time.Advance(TimeSpan.FromSeconds(39.5));
        var reopened = counters.Take("k", 1, Minute);
        Assert.True(reopened.Allowed);
        Assert.Equal(60, reopened.ResetSeconds);
    }

    [Fact]
    public void Take_DifferentKeys_CountedApart()
    {
        var counters = new FixedWindowCounters(new ManualTimeProvider());

        Assert.True(counters.Take("a", 1, Minute).Allowed);
        Assert.True(counters.Take("b", 1, Minute).Allowed);
        Assert.False(counters.Take("a", 1, Minute).Allowed);
    }

    [Fact]
    public void Sweep_EndedWindows_Dropped_LiveOnesKept()
    {
        var time = new ManualTimeProvider();
        var counters = new FixedWindowCounters(time);
        counters.Take("short", 5, TimeSpan.FromSeconds(1));
        counters.Take("long", 1, Minute);

        time.Advance(TimeSpan.FromSeconds(2));
        counters.Sweep(time.GetTimestamp());

        Assert.Equal(1, counters.Count);
        Assert.False(counters.Take("long", 1, Minute).Allowed);
        Assert.True(counters.Take("short", 1, TimeSpan.FromSeconds(1)).Allowed);
    }

    [Fact]
    public async Task Take_ConcurrentRequests_ExactlyCountAllowed()
    {
        var counters = new FixedWindowCounters(new ManualTimeProvider());
        var allowed = 0;

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (counters.Take("k", 1234, Minute).Allowed)
                {
                    Interlocked.Increment(ref allowed);
                }
            }
        })));

        Assert.Equal(1234, allowed);
    }
}

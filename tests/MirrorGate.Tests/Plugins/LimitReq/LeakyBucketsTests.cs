using MirrorGate.Plugins.LimitReq;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Plugins.LimitReq;

public sealed class LeakyBucketsTests
{
    [Fact]
    public void Take_NoBurst_SecondAtOnceRefused_PassesAgainOnceLeaked()
    {
        var time = new ManualTimeProvider();
        var buckets = new LeakyBuckets(time);

        Assert.Equal(TimeSpan.Zero, buckets.Take("k", 1, 0));
        Assert.Null(buckets.Take("k", 1, 0));
        Assert.Null(buckets.Take("k", 1, 0)); // a refusal adds nothing

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, buckets.Take("k", 1, 0));
    }

    [Fact]
    public void Take_WithinBurst_DelayIsExcessOverRate_PastBurstRefused()
    {
        var time = new ManualTimeProvider();
        var buckets = new LeakyBuckets(time);

        Assert.Equal(TimeSpan.Zero, buckets.Take("k", 2, 2));
        Assert.Equal(TimeSpan.FromSeconds(0.5), buckets.Take("k", 2, 2));
        Assert.Equal(TimeSpan.FromSeconds(1), buckets.Take("k", 2, 2));
        Assert.Null(buckets.Take("k", 2, 2));

        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(TimeSpan.FromSeconds(1), buckets.Take("k", 2, 2));
    }

    [Fact]
    public void Take_DifferentKeys_BucketsApart()
    {
        var buckets = new LeakyBuckets(new ManualTimeProvider());

        Assert.NotNull(buckets.Take("a", 1, 0));
        Assert.NotNull(buckets.Take("b", 1, 0));
        Assert.Null(buckets.Take("a", 1, 0));
    }

    [Fact]
    public void Sweep_LeakedEmpty_Dropped_FullOnesKept()
    {
        var time = new ManualTimeProvider();
        var buckets = new LeakyBuckets(time);
        buckets.Take("fast", 10, 0);
        buckets.Take("slow", 0.01, 5);
        buckets.Take("slow", 0.01, 5);

        time.Advance(TimeSpan.FromSeconds(1));
        buckets.Sweep(time.GetTimestamp());

        Assert.Equal(1, buckets.Count);
        Assert.Equal(TimeSpan.FromSeconds(0), buckets.Take("fast", 10, 0));
    }
}

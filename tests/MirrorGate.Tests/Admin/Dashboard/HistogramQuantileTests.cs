using MirrorGate.Admin.Dashboard;

namespace MirrorGate.Tests.Admin.Dashboard;

public sealed class HistogramQuantileTests
{
    private static readonly double[] Bounds = [0.01, 0.1, 1];

    [Fact]
    public void Estimate_NoObservations_ReturnsNull()
        => Assert.Null(HistogramQuantile.Estimate(0.5, Bounds, [0, 0, 0, 0]));

    [Fact]
    public void Estimate_RankInsideABucket_InterpolatesLinearly()
    {
        // 10 in (0, 10 ms], 10 in (10 ms, 100 ms]: the median is the top of the first bucket, p75 halfway up the second.
        long[] cumulative = [10, 20, 20, 20];

        Assert.Equal(0.01, HistogramQuantile.Estimate(0.5, Bounds, cumulative)!.Value, 9);
        Assert.Equal(0.055, HistogramQuantile.Estimate(0.75, Bounds, cumulative)!.Value, 9);
    }

    [Fact]
    public void Estimate_RankInTheInfBucket_AnswersTheHighestBound()
        => Assert.Equal(1, HistogramQuantile.Estimate(0.99, Bounds, [0, 0, 1, 10])!.Value);

    [Fact]
    public void Estimate_CountsDoNotMatchBounds_ReturnsNull()
        => Assert.Null(HistogramQuantile.Estimate(0.5, Bounds, [1, 2]));
}

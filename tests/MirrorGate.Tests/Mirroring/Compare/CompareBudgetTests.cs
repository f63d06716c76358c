using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class CompareBudgetTests
{
    [Fact]
    public void TryReserve_UpToTheLimit_ThenRefused()
    {
        var budget = new CompareBudget(() => 100);
        Assert.True(budget.TryReserve(60));
        Assert.True(budget.TryReserve(40));
        Assert.False(budget.TryReserve(1));
        Assert.Equal(100, budget.Used);
        budget.Release(40);
        Assert.True(budget.TryReserve(1));
        Assert.Equal(61, budget.Used);
    }

    [Fact]
    public void TryReserve_LimitLowered_AppliesAtOnce()
    {
        long limit = 100;
        var budget = new CompareBudget(() => limit);
        Assert.True(budget.TryReserve(50));
        limit = 40;
        Assert.False(budget.TryReserve(1));
        budget.Release(50);
        Assert.True(budget.TryReserve(40));
    }

    [Fact]
    public void TryReserve_ManyThreads_NeverOverTheLimit()
    {
        var budget = new CompareBudget(() => 1000);
        var granted = 0L;
        Parallel.For(0, 10_000, _ =>
        {
            if (budget.TryReserve(7))
            {
                Interlocked.Add(ref granted, 7);
            }
        });
        Assert.Equal(granted, budget.Used);
        Assert.True(granted <= 1000 && granted > 1000 - 7);
        Parallel.For(0, (int)(granted / 7), _ => budget.Release(7));
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void TryReserve_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompareBudget(() => 10).TryReserve(-1));
    }
}

using MirrorGate.Tests.TestSupport;
using MirrorGate.Observability;

namespace MirrorGate.Tests.Observability;

public sealed class LogRateLimiterTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void TryAcquire_WithinBudget_AllowsWithNothingSuppressed()
    {
        var limiter = new LogRateLimiter<string>(_time, maxPerInterval: 2, TimeSpan.FromSeconds(10));

        Assert.True(limiter.TryAcquire("k", out var first));
        Assert.True(limiter.TryAcquire("k", out var second));
        Assert.Equal(0, first);
        Assert.Equal(0, second);
    }

    [Fact]
    public void TryAcquire_OverBudget_SuppressesUntilIntervalEnds()
    {
        var limiter = new LogRateLimiter<string>(_time, maxPerInterval: 2, TimeSpan.FromSeconds(10));
        limiter.TryAcquire("k", out _);
        limiter.TryAcquire("k", out _);

        Assert.False(limiter.TryAcquire("k", out _));
        _time.Advance(TimeSpan.FromSeconds(9.999));
        Assert.False(limiter.TryAcquire("k", out _));
    }

    [Fact]
    public void TryAcquire_AfterIntervalEnds_AllowsAndReportsSuppressedCount()
    {
        var limiter = new LogRateLimiter<string>(_time, maxPerInterval: 1, TimeSpan.FromSeconds(10));
        limiter.TryAcquire("k", out _);
        for (var i = 0; i < 5; i++)
        {
            limiter.TryAcquire("k", out _);
        }

        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.True(limiter.TryAcquire("k", out var suppressed));
        Assert.Equal(5, suppressed);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(limiter.TryAcquire("k", out var again));
        Assert.Equal(0, again);
    }

    [Fact]
    public void TryAcquire_DifferentKeys_HaveSeparateBudgets()
    {
        var limiter = new LogRateLimiter<(string Route, int Kind)>(_time, maxPerInterval: 1, TimeSpan.FromMinutes(1));

        Assert.True(limiter.TryAcquire(("r1", 1), out _));
        Assert.False(limiter.TryAcquire(("r1", 1), out _));
        Assert.True(limiter.TryAcquire(("r1", 2), out _));
        Assert.True(limiter.TryAcquire(("r2", 1), out _));
    }

    [Fact]
    public void TryAcquire_MoreKeysThanCap_ExtraKeysShareOneBudget()
    {
        var limiter = new LogRateLimiter<int>(_time, maxPerInterval: 1, TimeSpan.FromMinutes(1), maxKeys: 2);
        limiter.TryAcquire(1, out _);
        limiter.TryAcquire(2, out _);

        Assert.True(limiter.TryAcquire(3, out _));
        Assert.False(limiter.TryAcquire(4, out _));
        Assert.False(limiter.TryAcquire(1, out _));
    }

    [Fact]
    public void TryAcquire_ManyThreadsInOneWindow_ExactlyBudgetAllowedAndRestCounted()
    {
        var limiter = new LogRateLimiter<string>(_time, maxPerInterval: 3, TimeSpan.FromSeconds(1));
        const int threads = 8;
        const int perThread = 10_000;
        var allowed = 0;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (var i = 0; i < perThread; i++)
            {
                if (limiter.TryAcquire("dead-mirror", out _))
                {
                    Interlocked.Increment(ref allowed);
                }
            }
        });

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire("dead-mirror", out var suppressed));
        Assert.Equal(3, allowed);
        Assert.Equal((threads * perThread) - 3, suppressed);
    }

    [Fact]
    public void TryAcquire_SuppressedWithStructKey_AllocatesNothing()
    {
        var limiter = new LogRateLimiter<(string Route, string Target, int Kind)>(_time, maxPerInterval: 1, TimeSpan.FromMinutes(1));
        var key = ("route-1", "http://mirror:8080", 3);
        limiter.TryAcquire(key, out _);
        for (var i = 0; i < 100; i++)
        {
            limiter.TryAcquire(key, out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            limiter.TryAcquire(key, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(1, " (1 similar messages suppressed)")]
    [InlineData(42, " (42 similar messages suppressed)")]
    public void SuppressedNote_Count_FormatsSuffix(long count, string expected) =>
        Assert.Equal(expected, LogRateLimiter.SuppressedNote(count));

    [Fact]
    public void Constructor_ZeroBudgetOrInterval_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogRateLimiter<string>(_time, 0, TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogRateLimiter<string>(_time, 1, TimeSpan.Zero));
    }
}

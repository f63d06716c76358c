using Microsoft.Extensions.Logging;
using MirrorGate.Mirroring;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Mirroring;

public sealed class MirrorKillSwitchTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly LineLogger _log = new();

    private MirrorKillSwitch Switch(double ratio = 0.5, int windowSeconds = 10, int minCopies = 10, int coolDownSeconds = 5)
        => new(new MirrorKillSwitchOptions(ratio, TimeSpan.FromSeconds(windowSeconds), minCopies, TimeSpan.FromSeconds(coolDownSeconds)), "r1", "blue", _time, _log);

    private static void Record(MirrorKillSwitch killSwitch, int good, int bad)
    {
        for (var i = 0; i < good; i++) killSwitch.OnGood();
        for (var i = 0; i < bad; i++) killSwitch.OnBad();
    }

    [Fact]
    public void AllowsCopy_FewerSettledThanMinCopies_StaysClosed()
    {
        var killSwitch = Switch(minCopies: 10);
        Record(killSwitch, good: 0, bad: 9);
        Assert.True(killSwitch.AllowsCopy());
        Assert.Empty(_log.Lines);
    }

    [Fact]
    public void AllowsCopy_RatioReachedButNotPassed_StaysClosed()
    {
        var killSwitch = Switch(ratio: 0.5, minCopies: 10);
        Record(killSwitch, good: 5, bad: 5);
        Assert.True(killSwitch.AllowsCopy());
    }

    [Fact]
    public void AllowsCopy_RatioPassed_OpensForCoolDownLogsOnceThenRecovers()
    {
        var killSwitch = Switch(ratio: 0.5, minCopies: 10, coolDownSeconds: 5);
        Record(killSwitch, good: 4, bad: 6);
        Record(killSwitch, good: 0, bad: 5); // settling while open: not counted, no second line

        Assert.False(killSwitch.AllowsCopy());
        Assert.Equal(["Warning: Mirror target blue of route r1: 6 of 10 copies failed or found the queue full in the last 10 s; its copies are dropped for 5 s (kill switch open); the primary requests are unaffected"], _log.Lines);

        _time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.False(killSwitch.AllowsCopy());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(killSwitch.AllowsCopy());
        Assert.True(killSwitch.AllowsCopy());
        Assert.Equal("Information: Mirror target blue of route r1 receives copies again (kill switch closed after its cool-down)", _log.Lines[^1]);
        Assert.Equal(2, _log.Lines.Count);
    }

    [Fact]
    public void AllowsCopy_AfterRecovery_StartsWithAnEmptyWindowAndTripsAgainWithANewLine()
    {
        var killSwitch = Switch(ratio: 0.5, minCopies: 10, coolDownSeconds: 5);
        Record(killSwitch, good: 0, bad: 10);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(killSwitch.AllowsCopy());

        Record(killSwitch, good: 0, bad: 9); // the 10 before the cool-down no longer count
        Assert.True(killSwitch.AllowsCopy());
        Record(killSwitch, good: 0, bad: 1);
        Assert.False(killSwitch.AllowsCopy());
        Assert.Equal(3, _log.Lines.Count);
        Assert.StartsWith("Warning:", _log.Lines[2]);
    }

    [Fact]
    public void AllowsCopy_FailuresOlderThanTheWindow_NoLongerCount()
    {
        var killSwitch = Switch(ratio: 0.5, windowSeconds: 10, minCopies: 10);
        Record(killSwitch, good: 0, bad: 9);
        _time.Advance(TimeSpan.FromSeconds(11));
        Record(killSwitch, good: 9, bad: 1);

        Assert.True(killSwitch.AllowsCopy());
    }

    [Fact]
    public void AllowsCopy_FailuresWithinTheWindowAcrossBuckets_Count()
    {
        var killSwitch = Switch(ratio: 0.5, windowSeconds: 10, minCopies: 10);
        Record(killSwitch, good: 0, bad: 5);
        _time.Advance(TimeSpan.FromSeconds(8));
        Record(killSwitch, good: 0, bad: 5);

        Assert.False(killSwitch.AllowsCopy());
    }

    [Fact]
    public void TargetMetrics_OutcomesFeedTheSwitch_ShutdownDoesNotCount()
    {
        var killSwitch = Switch(ratio: 0.5, minCopies: 4);
        var metrics = new MirrorTargetMetrics(new MirrorMetrics(), "r1", "blue", killSwitch);
        metrics.OnSent(200, TimeSpan.Zero);
        metrics.OnFailed(MirrorReasons.Shutdown, TimeSpan.Zero);
        metrics.OnDropped(MirrorReasons.BodyIncomplete);
        metrics.OnFailed(MirrorReasons.Timeout, TimeSpan.Zero);
        metrics.OnRefused(MirrorReasons.QueueFull);
        Assert.True(killSwitch.AllowsCopy()); // 1 good, 2 bad of 3 counted: fewer than min_copies

        metrics.OnDropped(MirrorReasons.QueueFull);
        Assert.False(killSwitch.AllowsCopy()); // 3 bad of 4
    }

    private sealed class LineLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}

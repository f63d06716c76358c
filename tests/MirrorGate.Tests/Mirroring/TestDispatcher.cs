using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>A real dispatcher (with its sender and lanes) for tests, on fixed settings.</summary>
internal static class TestDispatcher
{
    public static MirrorDispatcher Create(ProxyMirrorSettings settings, MirrorMetrics metrics, MirrorMemoryBudget budget)
        => Create(() => settings, metrics, budget);

    public static MirrorDispatcher Create(Func<ProxyMirrorSettings> settings, MirrorMetrics metrics, MirrorMemoryBudget budget)
        => Create(settings, metrics, budget, TimeProvider.System);

    /// <summary>A dispatcher whose lanes read <paramref name="time"/> (timestamps, stall and timeout windows).</summary>
    public static MirrorDispatcher Create(Func<ProxyMirrorSettings> settings, MirrorMetrics metrics, MirrorMemoryBudget budget, TimeProvider time)
    {
        var failures = new MirrorFailureLog(TimeProvider.System, NullLogger.Instance);
        var sender = new MirrorSender(settings, TimeProvider.System);
        return new MirrorDispatcher(sender, settings, metrics, budget, failures, time, NullLogger<MirrorDispatcher>.Instance);
    }
}

/// <summary>
/// Real time, but every span the lanes compute from it (the 100 ms stall window, timeouts) lasts
/// <paramref name="factor"/> times longer: the timestamp frequency is reported that much higher.
/// Tests of the pipelining mechanism use it so that a loaded 2-core CI box, where one answer can
/// take longer than 100 ms, does not decide whether a copy may join a busy connection.
/// Timers (the sweep) run on real time.
/// </summary>
internal sealed class SlowClock(int factor) : TimeProvider
{
    public override long TimestampFrequency { get; } = Stopwatch.Frequency * factor;

    public override long GetTimestamp() => Stopwatch.GetTimestamp();
}

/// <summary>
/// Real time, but every span the lanes compute from it lasts <paramref name="factor"/> times
/// shorter (the 60 s idle timeout becomes 100 ms at 600). Timers (the sweep) run on real time.
/// </summary>
internal sealed class FastClock(int factor) : TimeProvider
{
    public override long TimestampFrequency { get; } = Stopwatch.Frequency / factor;

    public override long GetTimestamp() => Stopwatch.GetTimestamp();
}

namespace MirrorGate.Mirroring;

/// <summary>What every lane shares: the live settings, the clock, the load counters and the failure log.</summary>
internal sealed class MirrorLaneContext(Func<ProxyMirrorSettings> settings, TimeProvider time, MirrorLoad load, MirrorFailureLog failures)
{
    private volatile bool _stopping;

    public ProxyMirrorSettings Settings => settings();

    public TimeProvider Time { get; } = time;

    public MirrorLoad Load { get; } = load;

    public MirrorFailureLog Failures { get; } = failures;

    /// <summary>Set when the node stops: copies that were never written are then dropped, not resent.</summary>
    public bool Stopping => _stopping;

    public void Stop() => _stopping = true;

    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);
}

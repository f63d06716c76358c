namespace MirrorGate.Mirroring;

/// <summary>What every lane shares: the live settings, the clock, the load counters and the failure log.</summary>
internal sealed class MirrorLaneContext(Func<ProxyMirrorSettings> settings, TimeProvider time, MirrorLoad load, MirrorFailureLog failures)
{
    private readonly MirrorLaneContext? _parent;
    private volatile bool _stopping;

    private MirrorLaneContext(MirrorLaneContext parent, Func<ProxyMirrorSettings> settings)
        : this(settings, parent.Time, parent.Load, parent.Failures)
        => _parent = parent;

    public ProxyMirrorSettings Settings => settings();

    public TimeProvider Time { get; } = time;

    public MirrorLoad Load { get; } = load;

    public MirrorFailureLog Failures { get; } = failures;

    /// <summary>Set when the node stops: copies that were never written are then dropped, not resent.</summary>
    public bool Stopping => _stopping || (_parent?.Stopping ?? false);

    public void Stop() => _stopping = true;

    public long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Time.TimestampFrequency);

    /// <summary>
    /// The same context for the lanes of a target with its own timeouts: the node settings in
    /// force, with the override applied (computed again only when the node settings change).
    /// </summary>
    public MirrorLaneContext WithTimeouts(MirrorTimeouts timeouts)
    {
        var cache = new Tuple<ProxyMirrorSettings, ProxyMirrorSettings>(Settings, timeouts.Apply(Settings));
        return new MirrorLaneContext(this, () =>
        {
            var node = Settings;
            var seen = Volatile.Read(ref cache);
            if (ReferenceEquals(seen.Item1, node))
            {
                return seen.Item2;
            }

            var applied = timeouts.Apply(node);
            Volatile.Write(ref cache, new(node, applied));
            return applied;
        });
    }
}

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

    /// <summary>A copy that failed: counted, logged at a bounded rate, its body released.</summary>
    public void Fail(MirrorRequest request, string reason, string error)
    {
        request.Metrics.OnFailed(reason, request.SentAt == 0 ? TimeSpan.Zero : Time.GetElapsedTime(request.SentAt));
        Failures.Failed(request, reason, error);
        request.Body?.Release();
    }

    /// <summary>A copy that was not sent: counted as dropped, its body released.</summary>
    public void Drop(MirrorRequest request, string reason)
    {
        request.Metrics.OnDropped(reason);
        request.Body?.Release();
    }
}

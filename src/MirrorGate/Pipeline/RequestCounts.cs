namespace MirrorGate.Pipeline;

/// <summary>
/// Requests the proxy listeners started and finished since the node started (nginx's stub_status
/// <c>requests</c> and <c>writing</c>), kept by <see cref="RequestObservers"/> when it has observers.
/// </summary>
internal sealed class RequestCounts
{
    private long _started;
    private long _completed;

    public long Started => Volatile.Read(ref _started);

    /// <summary>Started and not yet finished (never negative, though the two reads are not atomic together).</summary>
    public long InFlight => Math.Max(0, Volatile.Read(ref _started) - Volatile.Read(ref _completed));

    public void OnStarted() => Interlocked.Increment(ref _started);

    public void OnCompleted() => Interlocked.Increment(ref _completed);
}

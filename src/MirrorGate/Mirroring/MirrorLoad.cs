namespace MirrorGate.Mirroring;

/// <summary>
/// How many mirror copies the node holds right now: queued (accepted, not yet written to a
/// mirror) and in flight (written, answer awaited), and how many writes are still sending bodies
/// (a copy answered early is settled while its body is still being written). Feeds the gauges,
/// enforces <c>queue_size</c>, and tells a stopping node when everything has been sent.
/// </summary>
internal sealed class MirrorLoad
{
    private int _queued;
    private int _inFlight;
    private int _writing;
    private TaskCompletionSource? _idle;

    public int Queued => Volatile.Read(ref _queued);

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts one more queued copy unless <paramref name="limit"/> are queued already.</summary>
    public bool TryQueue(int limit)
    {
        if (Interlocked.Increment(ref _queued) <= limit)
        {
            return true;
        }

        Unqueue(1);
        return false;
    }

    /// <summary>A queued copy was written to a mirror.</summary>
    public void Sent()
    {
        Interlocked.Increment(ref _inFlight);
        Unqueue(1);
    }

    /// <summary>Queued copies that ended without being written (dropped or failed).</summary>
    public void Unqueue(int count)
    {
        if (Interlocked.Add(ref _queued, -count) == 0)
        {
            SignalIfIdle();
        }
    }

    /// <summary>An in-flight copy ended (answered or failed).</summary>
    public void Finished()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            SignalIfIdle();
        }
    }

    /// <summary>An in-flight copy goes back to the queue (its connection closed before it was answered).</summary>
    public void Requeue()
    {
        Interlocked.Increment(ref _queued);
        Finished();
    }

    /// <summary>A connection's writer began a pass.</summary>
    public void BeginWrite() => Interlocked.Increment(ref _writing);

    /// <summary>A connection's writer ended a pass (every byte written, or the write abandoned).</summary>
    public void EndWrite()
    {
        if (Interlocked.Decrement(ref _writing) == 0)
        {
            SignalIfIdle();
        }
    }

    /// <summary>Completes when nothing is queued, in flight or being written (checked again on every change from now on).</summary>
    public Task WhenIdleAsync()
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _idle, idle);
        SignalIfIdle();
        return idle.Task;
    }

    private void SignalIfIdle()
    {
        if (Volatile.Read(ref _idle) is { } idle && Queued == 0 && InFlight == 0 && Volatile.Read(ref _writing) == 0)
        {
            idle.TrySetResult();
        }
    }
}

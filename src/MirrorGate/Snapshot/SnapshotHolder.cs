namespace MirrorGate.Snapshot;

/// <summary>
/// Holds the current snapshot behind one volatile reference: readers never lock, the builder
/// swaps in a new one atomically. Writers of the Admin API can wait until their revision is live.
/// </summary>
internal sealed class SnapshotHolder
{
    private readonly Lock _waitersLock = new();
    private readonly List<(long Revision, TaskCompletionSource Done)> _waiters = [];
    private GatewaySnapshot _current = GatewaySnapshot.Empty;

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    public void Publish(GatewaySnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        lock (_waitersLock)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Revision <= snapshot.Revision)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Completes once a snapshot at or after <paramref name="revision"/> is live, or after <paramref name="timeout"/>.</summary>
    public async Task WaitForRevisionAsync(long revision, TimeSpan timeout, CancellationToken cancellationToken)
    {
        TaskCompletionSource done;
        lock (_waitersLock)
        {
            if (Current.Revision >= revision)
            {
                return;
            }

            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((revision, done));
        }

        try
        {
            await done.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The write is durable either way; the data plane catches up on its own.
        }
    }
}

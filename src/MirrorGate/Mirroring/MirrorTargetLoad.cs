namespace MirrorGate.Mirroring;

/// <summary>
/// One route target's own queue budget (its <c>queue_size</c>): copies of the target the node
/// holds, from the moment the handler makes one until it settles (queued, being written or
/// awaiting its answer). A slow target thus fills its own budget, not the node's queue that
/// every other target shares.
/// </summary>
internal sealed class MirrorTargetLoad(int limit)
{
    private int _held;

    public int Limit { get; } = limit;

    public int Held => Volatile.Read(ref _held);

    /// <summary>Request path: false (nothing taken) when the budget is used up.</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref _held) <= Limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _held);
        return false;
    }

    /// <summary>A copy that was taken settled.</summary>
    public void Release() => Interlocked.Decrement(ref _held);
}

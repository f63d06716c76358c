namespace MirrorGate.Balancing;

/// <summary>
/// Requests in flight per node index, fed by OnStarted/OnCompleted. Never below zero, so a
/// completion without a start (a caller bug) cannot make a node look better than idle.
/// </summary>
internal sealed class InFlightCounters(int count)
{
    private readonly int[] _counts = new int[count];

    public int this[int index] => Volatile.Read(ref _counts[index]);

    public void Increment(int index) => Interlocked.Increment(ref _counts[index]);

    public void Decrement(int index)
    {
        ref var slot = ref _counts[index];
        var current = Volatile.Read(ref slot);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref slot, current - 1, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}

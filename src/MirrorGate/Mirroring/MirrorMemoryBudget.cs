namespace MirrorGate.Mirroring;

/// <summary>
/// Node-wide cap on bytes held for mirror bodies (captured, queued or being sent), so that many
/// concurrent large uploads cannot grow memory without bound while a mirror is slow.
/// </summary>
internal sealed class MirrorMemoryBudget(Func<long> limit)
{
    private long _used;

    public long Used => Volatile.Read(ref _used);

    public bool TryReserve(long bytes)
    {
        var max = limit();
        while (true)
        {
            var used = Volatile.Read(ref _used);
            if (used + bytes > max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    public void Release(long bytes)
    {
        if (bytes != 0)
        {
            Interlocked.Add(ref _used, -bytes);
        }
    }
}

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Node-wide cap on bytes held for comparisons (<c>plugin_attr.proxy-mirror.compare_max_bytes</c>,
/// 64 MiB by default): the primary's captured answer and the targets' answers waiting to be
/// compared. When a reservation fails the comparison is skipped (reason <c>budget</c>); the copy
/// itself is still sent. Lock-free: one compare-and-swap per reservation.
/// </summary>
internal sealed class CompareBudget
{
    private readonly Func<long> _limit;
    private long _used;

    /// <param name="limit">Read at each reservation, so a changed config.yaml applies at once.</param>
    public CompareBudget(Func<long> limit, CompareMetrics? metrics = null)
    {
        _limit = limit;
        metrics?.ObserveBudget(() => Used);
    }

    public long Used => Volatile.Read(ref _used);

    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        var max = _limit();
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

    /// <summary>Gives back what a successful <see cref="TryReserve"/> took (exactly once).</summary>
    public void Release(long bytes)
    {
        if (bytes != 0)
        {
            Interlocked.Add(ref _used, -bytes);
        }
    }
}

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Node-wide cap on bytes held for comparisons (<c>plugin_attr.proxy-mirror.compare_max_bytes</c>,
/// 64 MiB by default): the primary's captured answer and the targets' answers waiting to be
/// compared. When a reservation fails the comparison is skipped (reason <c>budget</c>); the copy
/// itself is still sent. Lock-free: one compare-and-swap per reservation.
/// </summary>
internal sealed class CompareBudget
{
    // The same lock-free cap as the mirror bodies' budget, over a limit of its own.
    private readonly MirrorMemoryBudget _bytes;

    /// <param name="limit">Read at each reservation, so a changed config.yaml applies at once.</param>
    public CompareBudget(Func<long> limit, CompareMetrics? metrics = null)
    {
        _bytes = new MirrorMemoryBudget(limit);
        metrics?.ObserveBudget(() => Used);
    }

    public long Used => _bytes.Used;

    public bool TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return _bytes.TryReserve(bytes);
    }

    /// <summary>Gives back what a successful <see cref="TryReserve"/> took (exactly once).</summary>
    public void Release(long bytes) => _bytes.Release(bytes);
}

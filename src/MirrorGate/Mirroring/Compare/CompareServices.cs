namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// The node-wide parts every compared target reports to: the results (metrics, mismatch rings,
/// the JSON-lines file), the memory budget captured answers are charged to, and the clock that
/// stamps mismatches.
/// </summary>
internal sealed class CompareServices(CompareResults results, CompareBudget budget, TimeProvider time)
{
    public CompareResults Results { get; } = results;

    public CompareBudget Budget { get; } = budget;

    public TimeProvider Time { get; } = time;
}

using System.Diagnostics.Metrics;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// The comparison's instruments. Every comparison asked for is counted once in
/// <c>mirrorgate.mirror.compare</c> by route, target and result (match, mismatch, noise,
/// skipped); skipped ones also by reason in <c>mirrorgate.mirror.compare.skipped</c>.
/// </summary>
internal sealed class CompareMetrics : IDisposable
{
    public const string MeterName = "MirrorGate.Mirror.Compare";

    private readonly Meter _meter;

    public CompareMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Compared = _meter.CreateCounter<long>("mirrorgate.mirror.compare", description: "Mirror answers compared with the primary's, by result: match, mismatch, noise or skipped.");
        Skipped = _meter.CreateCounter<long>("mirrorgate.mirror.compare.skipped", description: "Comparisons skipped, by reason: budget, no_answer, primary_incomplete or noise_no_answer.");
        LogDropped = _meter.CreateCounter<long>("mirrorgate.mirror.compare.log_dropped", description: "Mismatches not written to the compare_log file: its queue was full or the file could not be written.");
    }

    public Counter<long> Compared { get; }

    public Counter<long> Skipped { get; }

    public Counter<long> LogDropped { get; }

    /// <summary>Registers the gauge of bytes held by comparisons (answers captured, not yet compared).</summary>
    public void ObserveBudget(Func<long> usedBytes)
        => _meter.CreateObservableGauge("mirrorgate.mirror.compare.buffered_bytes", usedBytes, unit: "By", description: "Bytes of captured answers held for comparison.");

    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics.Metrics;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// The access log's instruments: lines dropped because the queue to the disk was full or the
/// write failed (<c>mirrorgate_access_log_dropped_lines_total</c>) and bytes waiting in that
/// queue (<c>mirrorgate_access_log_queued_bytes</c>).
/// </summary>
internal sealed class AccessLogMetrics : IDisposable
{
    public const string MeterName = "MirrorGate.AccessLog";

    private readonly Meter _meter;

    public AccessLogMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        DroppedLines = _meter.CreateCounter<long>("mirrorgate.access_log.dropped_lines", description: "Access log lines not written: the queue to the disk was full (the disk or the reader of the log could not keep up) or the write failed.");
    }

    public Counter<long> DroppedLines { get; }

    /// <summary>Registers the gauge of bytes formatted but not yet written.</summary>
    public void ObserveQueue(Func<long> queuedBytes)
        => _meter.CreateObservableGauge("mirrorgate.access_log.queued_bytes", queuedBytes, unit: "By", description: "Access log bytes waiting to be written.");

    public void Dispose() => _meter.Dispose();
}

using System.Diagnostics.Metrics;

namespace MirrorGate.Mirroring;

/// <summary>
/// The mirror leg's instruments. Every outcome of a sampled request is counted once, per route
/// and target: sent (by status class), failed (connect, timeout, resolve, error) or dropped
/// (queue_full, body_too_large, buffer_full, body_incomplete, client_aborted, upgrade).
/// </summary>
internal sealed class MirrorMetrics : IDisposable
{
    public const string MeterName = "MirrorGate.Mirror";

    private readonly Meter _meter;

    public MirrorMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Sampled = _meter.CreateCounter<long>("mirrorgate.mirror.sampled", description: "Requests selected for mirroring.");
        Sent = _meter.CreateCounter<long>("mirrorgate.mirror.sent", description: "Mirror requests answered by the mirror, by status class.");
        Failed = _meter.CreateCounter<long>("mirrorgate.mirror.failed", description: "Mirror requests that failed: connect, timeout, resolve or error.");
        Dropped = _meter.CreateCounter<long>("mirrorgate.mirror.dropped", description: "Sampled requests not mirrored, by reason.");
        Duration = _meter.CreateHistogram<double>("mirrorgate.mirror.duration.seconds", unit: "s", description: "Time from sending a mirror request to its response completing.");
    }

    public Counter<long> Sampled { get; }

    public Counter<long> Sent { get; }

    public Counter<long> Failed { get; }

    public Counter<long> Dropped { get; }

    public Histogram<double> Duration { get; }

    /// <summary>Registers the dispatcher's live gauges: queued and in-flight copies, buffered bytes, open connections.</summary>
    public void ObserveDispatcher(Func<int> queued, Func<int> inFlight, Func<long> bufferedBytes, Func<int> connections)
    {
        _meter.CreateObservableGauge("mirrorgate.mirror.queue_depth", queued, description: "Mirror copies accepted, not yet written to a mirror.");
        _meter.CreateObservableGauge("mirrorgate.mirror.in_flight", inFlight, description: "Mirror copies written, answer awaited.");
        _meter.CreateObservableGauge("mirrorgate.mirror.buffered_bytes", bufferedBytes, unit: "By", description: "Bytes of mirror bodies held in memory.");
        _meter.CreateObservableGauge("mirrorgate.mirror.connections", connections, description: "Open HTTP/1.1 connections to mirrors.");
    }

    public void Dispose() => _meter.Dispose();
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>
/// Counts what one <see cref="MirrorMetrics"/> instance reports (sent by status class, failed
/// and dropped by reason) through a <see cref="MeterListener"/>, and lets a test await a count
/// instead of polling. Only that instance's instruments are listened to, so tests in parallel
/// do not see each other's copies.
/// </summary>
internal sealed class MirrorOutcomes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly ChangeSignal _changed = new();

    public MirrorOutcomes(MirrorMetrics metrics)
    {
        var meter = metrics.Sent.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument is Counter<long>)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var kind = instrument.Name switch
            {
                "mirrorgate.mirror.sent" => "sent",
                "mirrorgate.mirror.failed" => "failed",
                "mirrorgate.mirror.dropped" => "dropped",
                "mirrorgate.mirror.sampled" => "sampled",
                _ => null,
            };
            if (kind is null)
            {
                return;
            }

            var detail = "";
            var target = "";
            foreach (var tag in tags)
            {
                if (tag.Key is "status_class" or "reason")
                {
                    detail = tag.Value as string ?? "";
                }
                else if (tag.Key is "target")
                {
                    target = tag.Value as string ?? "";
                }
            }

            _counts.AddOrUpdate($"{kind}@{target}", value, (_, old) => old + value);
            _counts.AddOrUpdate($"{kind}:{detail}@{target}", value, (_, old) => old + value);

            _counts.AddOrUpdate(kind, value, (_, old) => old + value);
            _counts.AddOrUpdate($"{kind}:{detail}", value, (_, old) => old + value);
            _changed.Changed();
        });
        _listener.Start();
    }

    public long Sent => Count("sent");

    /// <summary>Requests sampled for the target of that metrics label.</summary>
    public long SampledFor(string target) => Count($"sampled@{target}");

    /// <summary>Sent, failed and dropped copies of the target of that metrics label.</summary>
    public long TotalFor(string target) => Count($"sent@{target}") + Count($"failed@{target}") + Count($"dropped@{target}");

    public long DroppedFor(string target, string reason) => Count($"dropped:{reason}@{target}");

    public long Failed => Count("failed");

    public long Dropped => Count("dropped");

    /// <summary>Every outcome counted: sent, failed or dropped.</summary>
    public long Total => Sent + Failed + Dropped;

    /// <summary>Sent with <paramref name="statusClass"/> (e.g. "2xx").</summary>
    public long SentWith(string statusClass) => Count($"sent:{statusClass}");

    public long FailedWith(string reason) => Count($"failed:{reason}");

    public long DroppedWith(string reason) => Count($"dropped:{reason}");

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds; the exception lists every count.</summary>
    public Task WaitUntilAsync(Func<MirrorOutcomes, bool> condition, string what, TimeSpan? timeout = null)
        => _changed.WaitUntilAsync(() => condition(this), () => $"never {what}; counted: {this}", timeout);

    /// <summary>Waits (bounded) until <paramref name="total"/> copies have an outcome.</summary>
    public Task WaitForTotalAsync(long total, TimeSpan? timeout = null)
        => WaitUntilAsync(o => o.Total >= total, $"{total} outcomes", timeout);

    public override string ToString()
        => string.Join(", ", _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    public void Dispose() => _listener.Dispose();

    private long Count(string key) => _counts.TryGetValue(key, out var value) ? value : 0;
}

using System.Diagnostics.Metrics;

namespace MirrorGate.Observability;

/// <summary>
/// Counters and up-down counters add; gauges and every observable instrument set (an observable
/// counter reports its running total, not a delta). Observable series are rebuilt on each scrape,
/// so a tag set the callback stops reporting disappears instead of showing a stale value.
/// </summary>
internal sealed class SumInstrumentState : InstrumentState
{
    private readonly SeriesMap<SumSeries> _series = new(static tags => new SumSeries(tags));
    private readonly bool _set;

    public SumInstrumentState(Instrument instrument, string metricName, string prometheusType, bool isInteger, bool set)
        : base(instrument, metricName, prometheusType, isInteger)
    {
        _set = set;
    }

    public override void RecordLong(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = _series.GetOrAdd(tags);
        if (_set)
        {
            series.Set(value);
        }
        else
        {
            series.Add(value);
        }
    }

    public override void RecordDouble(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // One NaN would poison a running sum for the life of the process: drop it.
        if (double.IsNaN(value))
        {
            return;
        }

        var series = _series.GetOrAdd(tags);
        if (_set)
        {
            series.Set(value);
        }
        else
        {
            series.Add(value);
        }
    }

    /// <summary>A moment-in-time copy of the series, for in-process readers (observable ones hold the last scrape's values).</summary>
    public KeyValuePair<TagSet, SumSeries>[] Series() => _series.Snapshot();

    public override void BeginCollect()
    {
        if (Instrument.IsObservable)
        {
            _series.Clear();
        }
    }

    public override void AppendSeries(List<KeyValuePair<string, string>> output)
    {
        foreach (var (tags, series) in _series.Snapshot())
        {
            var value = IsInteger ? PrometheusText.FormatLong(series.LongValue) : PrometheusText.FormatDouble(series.DoubleValue);
            var line = tags.Labels.Length == 0
                ? $"{MetricName} {value}\n"
                : $"{MetricName}{{{tags.Labels}}} {value}\n";
            output.Add(new(tags.Labels, line));
        }
    }
}

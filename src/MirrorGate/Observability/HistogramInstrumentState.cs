using System.Diagnostics.Metrics;
using System.Text;

namespace MirrorGate.Observability;

/// <summary>A histogram instrument: explicit buckets rendered as cumulative <c>_bucket</c>, <c>_sum</c>, <c>_count</c>.</summary>
internal sealed class HistogramInstrumentState : InstrumentState
{
    private readonly SeriesMap<HistogramSeries> _series;
    private readonly string[] _leValues;
    private readonly double[] _bounds;

    public HistogramInstrumentState(Instrument instrument, string metricName, bool isInteger)
        : base(instrument, metricName, "histogram", isInteger)
    {
        var bounds = HistogramBuckets.For(instrument);
        _bounds = bounds;
        _series = new(tags => new HistogramSeries(tags, bounds));
        _leValues = [.. bounds.Select(PrometheusText.FormatDouble), "+Inf"];
    }

    /// <summary>The bucket upper bounds (without +Inf), shared by every series of the instrument.</summary>
    public IReadOnlyList<double> Bounds => _bounds;

    /// <summary>A moment-in-time copy of the series, for in-process readers.</summary>
    public KeyValuePair<TagSet, HistogramSeries>[] Series() => _series.Snapshot();

    public override void RecordLong(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _series.GetOrAdd(tags).Record(value);

    public override void RecordDouble(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // A NaN fits no bucket and would poison the sum forever: drop it.
        if (!double.IsNaN(value))
        {
            _series.GetOrAdd(tags).Record(value);
        }
    }

    public override void AppendSeries(List<KeyValuePair<string, string>> output)
    {
        foreach (var (tags, series) in _series.Snapshot())
        {
            var counts = series.CumulativeCounts();
            var labels = tags.Labels;
            var separator = labels.Length == 0 ? string.Empty : ",";
            var braced = labels.Length == 0 ? string.Empty : "{" + labels + "}";

            var block = new StringBuilder();
            for (var i = 0; i < counts.Length; i++)
            {
                block.Append(MetricName).Append("_bucket{").Append(labels).Append(separator)
                    .Append("le=\"").Append(_leValues[i]).Append("\"} ")
                    .Append(PrometheusText.FormatLong(counts[i])).Append('\n');
            }

            block.Append(MetricName).Append("_sum").Append(braced).Append(' ').Append(PrometheusText.FormatDouble(series.Sum)).Append('\n');
            block.Append(MetricName).Append("_count").Append(braced).Append(' ').Append(PrometheusText.FormatLong(counts[^1])).Append('\n');
            output.Add(new(labels, block.ToString()));
        }
    }
}

using System.Diagnostics.Metrics;

namespace MirrorGate.Observability;

/// <summary>
/// What the exporter keeps for one instrument. It is the MeterListener's per-instrument state
/// object, so a measurement reaches its series without any lookup by instrument.
/// </summary>
internal abstract class InstrumentState(Instrument instrument, string metricName, string prometheusType, bool isInteger)
{
    public Instrument Instrument { get; } = instrument;

    /// <summary>The exposed name, with <c>_total</c> already added for counters.</summary>
    public string MetricName { get; } = metricName;

    /// <summary><c>counter</c>, <c>gauge</c> or <c>histogram</c>.</summary>
    public string PrometheusType { get; } = prometheusType;

    /// <summary>Instruments over byte/short/int/long record exact integers; the rest record doubles.</summary>
    public bool IsInteger { get; } = isInteger;

    public abstract void RecordLong(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    public abstract void RecordDouble(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Called under the scrape lock before observable instruments are polled.</summary>
    public virtual void BeginCollect()
    {
    }

    /// <summary>Adds one (labels, text block) pair per series; the exporter sorts by labels.</summary>
    public abstract void AppendSeries(List<KeyValuePair<string, string>> output);
}

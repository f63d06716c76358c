using System.Diagnostics.Metrics;

namespace MirrorGate.Observability;

/// <summary>Maps a .NET instrument kind to its Prometheus type and aggregation. Runs once per published instrument.</summary>
internal static class InstrumentStateFactory
{
    /// <summary>Null for instrument kinds or value types we do not export.</summary>
    public static InstrumentState? Create(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var valueType = type.GetGenericArguments()[0];
        bool isInteger;
        if (valueType == typeof(long) || valueType == typeof(int) || valueType == typeof(short) || valueType == typeof(byte))
        {
            isInteger = true;
        }
        else if (valueType == typeof(double) || valueType == typeof(float) || valueType == typeof(decimal))
        {
            isInteger = false;
        }
        else
        {
            return null;
        }

        var name = PrometheusText.MetricName(instrument.Name);
        var definition = type.GetGenericTypeDefinition();

        if (definition == typeof(Counter<>))
        {
            return new SumInstrumentState(instrument, PrometheusText.CounterName(name), "counter", isInteger, set: false);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return new SumInstrumentState(instrument, PrometheusText.CounterName(name), "counter", isInteger, set: true);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return new SumInstrumentState(instrument, name, "gauge", isInteger, set: false);
        }

        if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
        {
            return new SumInstrumentState(instrument, name, "gauge", isInteger, set: true);
        }

        if (definition == typeof(Histogram<>))
        {
            return new HistogramInstrumentState(instrument, name, isInteger);
        }

        return null;
    }
}

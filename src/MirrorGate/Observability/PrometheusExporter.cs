using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace MirrorGate.Observability;

/// <summary>
/// Aggregates every instrument of the MirrorGate meters in process and renders them in the
/// Prometheus text format 0.0.4. We export with our own code over System.Diagnostics.Metrics
/// rather than pulling in an OpenTelemetry SDK: the gateway has a handful of instruments, and the
/// hot path stays one lock-free dictionary probe plus Interlocked updates per measurement.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    public const string DefaultMeterNamePrefix = "MirrorGate";

    private readonly string _meterNamePrefix;
    private readonly object? _scope;
    private readonly ILogger? _logger;
    private readonly MeterListener _listener;

    // Guards only the instrument list (changes when instruments appear or end), never a measurement.
    private readonly Lock _instrumentsLock = new();
    private readonly List<InstrumentState> _instruments = [];
    private IPrometheusSource[] _sources = [];

    // Scrapes are serialized: observable series are rebuilt in place during a scrape.
    private readonly Lock _scrapeLock = new();

    /// <param name="meterNamePrefix">
    /// Meters whose name starts with this (ordinal) are exported. Tests pass their own unique
    /// meter name so parallel tests do not see each other's instruments.
    /// </param>
    /// <param name="logger">Where a failing observable callback is reported; a scrape still answers.</param>
    /// <param name="scope">
    /// When set, only meters created with this scope (the node's <see cref="IMeterFactory"/>) are
    /// exported, so several nodes in one process (tests) each report only their own measurements.
    /// </param>
    public PrometheusExporter(string meterNamePrefix = DefaultMeterNamePrefix, ILogger? logger = null, object? scope = null)
    {
        _meterNamePrefix = meterNamePrefix;
        _scope = scope;
        _logger = logger;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };

        // The state argument is the instrument's InstrumentState (see EnableMeasurementEvents).
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((InstrumentState)state!).RecordLong(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((InstrumentState)state!).RecordLong(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((InstrumentState)state!).RecordLong(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((InstrumentState)state!).RecordLong(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((InstrumentState)state!).RecordDouble(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((InstrumentState)state!).RecordDouble(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((InstrumentState)state!).RecordDouble((double)value, tags));
        _listener.Start();
    }

    /// <summary>Adds families written as the source spells them (see <see cref="IPrometheusSource"/>).</summary>
    public void AddSource(IPrometheusSource source)
    {
        lock (_instrumentsLock)
        {
            _sources = [.. _sources, source];
        }
    }

    /// <summary>Writes the whole exposition: families sorted by name, series by labels, so output is stable.</summary>
    public void WriteTo(TextWriter writer)
    {
        lock (_scrapeLock)
        {
            InstrumentState[] instruments;
            lock (_instrumentsLock)
            {
                instruments = [.. _instruments];
            }

            foreach (var instrument in instruments)
            {
                instrument.BeginCollect();
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (Exception ex)
            {
                // One broken gauge callback must not take the whole scrape down: the listener polls
                // every instrument before it rethrows (as an AggregateException), so the others are in.
                if (_logger is not null)
                {
                    ObservabilityLog.ObservableCallbackFailed(_logger, ex);
                }
            }

            foreach (var source in Volatile.Read(ref _sources))
            {
                // Rendered aside first: a source that fails half way leaves no half family behind.
                using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    source.WriteTo(text);
                }
                catch (Exception ex)
                {
                    if (_logger is not null)
                    {
                        ObservabilityLog.ObservableCallbackFailed(_logger, ex);
                    }

                    continue;
                }

                writer.Write(text.ToString());
            }

            var series = new List<KeyValuePair<string, string>>();
            foreach (var family in instruments.GroupBy(static i => i.MetricName, StringComparer.Ordinal).OrderBy(static g => g.Key, StringComparer.Ordinal))
            {
                // Two instruments (say, from two Meter instances of the same name) that map to one
                // name are merged into one family; one of a different type would make the output
                // invalid, so it is left out.
                var first = family.OrderBy(static i => i.Instrument.Meter.Name, StringComparer.Ordinal).First();
                series.Clear();
                foreach (var instrument in family.Where(i => i.PrometheusType == first.PrometheusType))
                {
                    instrument.AppendSeries(series);
                }

                if (series.Count == 0)
                {
                    continue;
                }

                if (!string.IsNullOrEmpty(first.Instrument.Description))
                {
                    writer.Write($"# HELP {family.Key} {PrometheusText.EscapeHelp(first.Instrument.Description)}\n");
                }

                writer.Write($"# TYPE {family.Key} {first.PrometheusType}\n");
                series.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                foreach (var (_, text) in series)
                {
                    writer.Write(text);
                }
            }
        }
    }

    public string Render()
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        WriteTo(writer);
        return writer.ToString();
    }

    /// <summary>
    /// The live state of one instrument, for in-process readers (the dashboard): it is read where
    /// the measurements already land, so reading adds nothing to the request path. Null until the
    /// instrument is published.
    /// </summary>
    public InstrumentState? Find(string meterName, string instrumentName)
    {
        lock (_instrumentsLock)
        {
            return _instruments.Find(i => i.Instrument.Name == instrumentName && i.Instrument.Meter.Name == meterName);
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!instrument.Meter.Name.StartsWith(_meterNamePrefix, StringComparison.Ordinal)
            || (_scope is not null && !ReferenceEquals(instrument.Meter.Scope, _scope)))
        {
            return;
        }

        var state = InstrumentStateFactory.Create(instrument);
        if (state is null)
        {
            return;
        }

        lock (_instrumentsLock)
        {
            _instruments.Add(state);
        }

        listener.EnableMeasurementEvents(instrument, state);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        // The meter was disposed: its series leave the exposition with it.
        if (state is InstrumentState instrumentState)
        {
            lock (_instrumentsLock)
            {
                _instruments.Remove(instrumentState);
            }
        }
    }
}

using MirrorGate.Mirroring;
using MirrorGate.Observability;

namespace MirrorGate.Admin.Dashboard;

/// <summary>
/// Reads the mirror instruments' series from the Prometheus exporter, where every measurement
/// already lands, and groups them by route and target. The request path does no extra work for
/// the dashboard: this runs only when the dashboard asks, and copies each series once.
/// </summary>
internal sealed class MirrorSeriesReader(PrometheusExporter exporter)
{
    private const string Sampled = "mirrorgate.mirror.sampled";
    private const string Sent = "mirrorgate.mirror.sent";
    private const string Failed = "mirrorgate.mirror.failed";
    private const string Dropped = "mirrorgate.mirror.dropped";
    private const string Duration = "mirrorgate.mirror.duration.seconds";

    public MirrorSeries Read()
    {
        var counters = new Dictionary<(string Route, string Target), CounterBuilder>();
        CounterBuilder For(string route, string target)
        {
            if (!counters.TryGetValue((route, target), out var builder))
            {
                builder = new CounterBuilder();
                counters[(route, target)] = builder;
            }

            return builder;
        }

        foreach (var (tags, value) in Sums(Sampled))
        {
            if (Key(tags) is { } key)
            {
                For(key.Route, key.Target).Sampled += value;
            }
        }

        AddLabelled(Sent, "status_class", (b, label, value) => Add(b.Sent, label, value));
        AddLabelled(Failed, "reason", (b, label, value) => Add(b.Failed, label, value));
        AddLabelled(Dropped, "reason", (b, label, value) => Add(b.Dropped, label, value));

        var latency = new Dictionary<(string Route, string Target), DashboardLatency>();
        if (exporter.Find(MirrorMetrics.MeterName, Duration) is HistogramInstrumentState histogram)
        {
            foreach (var (tags, series) in histogram.Series())
            {
                if (Key(tags) is { } key)
                {
                    var cumulative = series.CumulativeCounts();
                    latency[key] = new DashboardLatency(cumulative[^1], series.Sum, histogram.Bounds, cumulative);
                }
            }
        }

        return new MirrorSeries(
            counters.ToDictionary(static p => p.Key, static p => p.Value.Build()),
            latency);

        void AddLabelled(string instrument, string label, Action<CounterBuilder, string, long> add)
        {
            foreach (var (tags, value) in Sums(instrument))
            {
                if (Key(tags) is { } key && Tag(tags, label) is { } labelValue)
                {
                    add(For(key.Route, key.Target), labelValue, value);
                }
            }
        }
    }

    private IEnumerable<(TagSet Tags, long Value)> Sums(string instrument)
    {
        if (exporter.Find(MirrorMetrics.MeterName, instrument) is not SumInstrumentState state)
        {
            yield break;
        }

        foreach (var (tags, series) in state.Series())
        {
            yield return (tags, series.LongValue);
        }
    }

    private static (string Route, string Target)? Key(TagSet tags)
        => Tag(tags, "route") is { } route && Tag(tags, "target") is { } target ? (route, target) : null;

    private static string? Tag(TagSet tags, string key)
    {
        foreach (var tag in tags.Tags)
        {
            if (string.Equals(tag.Key, key, StringComparison.Ordinal))
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    private static void Add(SortedDictionary<string, long> map, string label, long value)
        => map[label] = map.GetValueOrDefault(label) + value;

    private sealed class CounterBuilder
    {
        public long Sampled;
        public readonly SortedDictionary<string, long> Sent = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, long> Failed = new(StringComparer.Ordinal);
        public readonly SortedDictionary<string, long> Dropped = new(StringComparer.Ordinal);

        public DashboardMirrorCounters Build() => new(Sampled, Sent, Failed, Dropped);
    }
}

/// <summary>The mirror series of one reading, by route and target.</summary>
internal sealed record MirrorSeries(
    IReadOnlyDictionary<(string Route, string Target), DashboardMirrorCounters> Counters,
    IReadOnlyDictionary<(string Route, string Target), DashboardLatency> Latency)
{
    public DashboardMirrorCounters CountersOf(string route, string target)
        => Counters.GetValueOrDefault((route, target)) ?? DashboardMirrorCounters.Zero;

    public DashboardLatency LatencyOf(string route, string target)
        => Latency.GetValueOrDefault((route, target)) ?? DashboardLatency.Empty;
}

using System.Collections.Concurrent;

namespace MirrorGate.Observability.Apisix;

/// <summary>
/// A counter family as nginx-lua-prometheus writes it: the name as given (no <c>_total</c> added),
/// series keyed by their label text. Requests reach a series through <see cref="RouteSeries"/>'s
/// cache; this dictionary is the slow path for a new label set and what a scrape reads.
/// </summary>
internal sealed class ApisixCounterFamily(string name, string help)
{
    private readonly ConcurrentDictionary<string, ApisixCounter> _series = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public ApisixCounter GetOrAdd(string labels) =>
        _series.TryGetValue(labels, out var series) ? series : _series.GetOrAdd(labels, static _ => new ApisixCounter());

    public void WriteTo(TextWriter writer)
    {
        var series = _series.ToArray();
        if (series.Length == 0)
        {
            return;
        }

        Array.Sort(series, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        writer.Write($"# HELP {Name} {PrometheusText.EscapeHelp(help)}\n# TYPE {Name} counter\n");
        foreach (var (labels, counter) in series)
        {
            writer.Write($"{Name}{{{labels}}} {PrometheusText.FormatLong(counter.Value)}\n");
        }
    }
}

/// <summary>A histogram family with fixed bucket bounds (APISIX's milliseconds), <c>le</c> last among the labels.</summary>
internal sealed class ApisixHistogramFamily
{
    private readonly ConcurrentDictionary<string, HistogramSeries> _series = new(StringComparer.Ordinal);
    private readonly string _help;
    private readonly double[] _bounds;
    private readonly string[] _le;

    public ApisixHistogramFamily(string name, string help, double[] bounds)
    {
        Name = name;
        _help = help;
        _bounds = bounds;
        _le = [.. bounds.Select(PrometheusText.FormatDouble), "+Inf"];
    }

    public string Name { get; }

    public HistogramSeries GetOrAdd(string labels) =>
        _series.TryGetValue(labels, out var series) ? series : _series.GetOrAdd(labels, _ => new HistogramSeries(TagSet.Empty, _bounds));

    public void WriteTo(TextWriter writer)
    {
        var series = _series.ToArray();
        if (series.Length == 0)
        {
            return;
        }

        Array.Sort(series, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        writer.Write($"# HELP {Name} {PrometheusText.EscapeHelp(_help)}\n# TYPE {Name} histogram\n");
        foreach (var (labels, histogram) in series)
        {
            var counts = histogram.CumulativeCounts();
            for (var i = 0; i < counts.Length; i++)
            {
                writer.Write($"{Name}_bucket{{{labels},le=\"{_le[i]}\"}} {PrometheusText.FormatLong(counts[i])}\n");
            }

            writer.Write($"{Name}_sum{{{labels}}} {PrometheusText.FormatDouble(histogram.Sum)}\n");
            writer.Write($"{Name}_count{{{labels}}} {PrometheusText.FormatLong(counts[^1])}\n");
        }
    }
}

using System.Diagnostics.Metrics;

namespace MirrorGate.Observability;

/// <summary>Which bucket bounds a histogram gets: the instrument's own advice, else defaults for seconds.</summary>
internal static class HistogramBuckets
{
    /// <summary>
    /// Latencies in seconds from 1 ms to 60 s: fine where a healthy mirror or upstream answers,
    /// coarse up to the 60 s default timeouts where a dead one is abandoned.
    /// </summary>
    public static IReadOnlyList<double> DefaultSeconds { get; } =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public static double[] For(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
            Histogram<short> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
            Histogram<byte> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
            Histogram<decimal> h => h.Advice?.HistogramBucketBoundaries?.Select(static b => (double)b),
            _ => null,
        };

        // InstrumentAdvice already rejects unsorted bounds; the filter is belt and braces so the
        // binary search in HistogramSeries can rely on strictly increasing finite bounds.
        var bounds = (advised ?? DefaultSeconds).Where(double.IsFinite).Distinct().Order().ToArray();
        return bounds.Length == 0 ? [.. DefaultSeconds] : bounds;
    }
}

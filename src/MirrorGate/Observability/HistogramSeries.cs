namespace MirrorGate.Observability;

/// <summary>
/// One histogram series: a count per bucket (non-cumulative, so a record touches one slot) plus
/// the +Inf overflow slot, and the sum. Counts are Interlocked, the sum is a CAS loop.
/// </summary>
internal sealed class HistogramSeries
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private double _sum;

    public HistogramSeries(TagSet tags, double[] bounds)
    {
        Tags = tags;
        _bounds = bounds;
        _counts = new long[bounds.Length + 1];
    }

    public TagSet Tags { get; }

    public double Sum => Volatile.Read(ref _sum);

    public void Record(double value)
    {
        Interlocked.Increment(ref _counts[BucketIndex(value)]);
        AtomicDouble.Add(ref _sum, value);
    }

    /// <summary>
    /// Cumulative counts, one per bound then +Inf. The total is the last entry, so a scrape's
    /// <c>_count</c> always equals its <c>+Inf</c> bucket even while records race with it.
    /// </summary>
    public long[] CumulativeCounts()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            running += Volatile.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return cumulative;
    }

    /// <summary>First bucket whose upper bound is &gt;= value (Prometheus <c>le</c>), else the +Inf slot.</summary>
    private int BucketIndex(double value)
    {
        var low = 0;
        var high = _bounds.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (value <= _bounds[mid])
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }
}

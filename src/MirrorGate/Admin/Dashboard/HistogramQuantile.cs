namespace MirrorGate.Admin.Dashboard;

/// <summary>
/// Prometheus's <c>histogram_quantile</c> over cumulative bucket counts: find the bucket the rank
/// falls in and interpolate linearly inside it (the first bucket starts at 0). A rank in the +Inf
/// bucket answers the highest finite bound, as Prometheus does, since nothing better is known.
/// dashboard.js carries the same function for its windowed percentiles.
/// </summary>
internal static class HistogramQuantile
{
    /// <param name="quantile">0 to 1.</param>
    /// <param name="bounds">Upper bounds, increasing, without +Inf.</param>
    /// <param name="cumulative">Cumulative counts, one per bound, then +Inf (the total).</param>
    /// <returns>Null when there are no observations.</returns>
    public static double? Estimate(double quantile, IReadOnlyList<double> bounds, IReadOnlyList<long> cumulative)
    {
        if (cumulative.Count == 0 || cumulative[^1] <= 0 || cumulative.Count != bounds.Count + 1)
        {
            return null;
        }

        var total = cumulative[^1];
        var rank = Math.Clamp(quantile, 0, 1) * total;
        for (var i = 0; i < bounds.Count; i++)
        {
            if (cumulative[i] >= rank && cumulative[i] > 0)
            {
                var lower = i == 0 ? 0 : bounds[i - 1];
                var below = i == 0 ? 0 : cumulative[i - 1];
                var inBucket = cumulative[i] - below;
                return inBucket == 0 ? bounds[i] : lower + ((bounds[i] - lower) * (rank - below) / inBucket);
            }
        }

        return bounds.Count > 0 ? bounds[^1] : null;
    }
}

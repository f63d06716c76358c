using MirrorGate.Plugins.Limiting;

namespace MirrorGate.Plugins.LimitReq;

/// <summary>
/// limit-req's node-wide buckets, as resty.limit.req: each key's bucket holds an excess (requests
/// beyond <c>rate</c>) that leaks at <c>rate</c> per second; a request adds one, is refused when
/// the excess would pass <c>burst</c> (a refusal adds nothing), and otherwise waits excess/rate
/// seconds. A bucket that has leaked empty is the same as no bucket, so it is swept.
/// </summary>
internal sealed class LeakyBuckets(TimeProvider time)
{
    private readonly LimitKeyStore<Bucket> _buckets = new(time);

    public int Count => _buckets.Count;

    /// <summary>The delay the request must wait, or null when it is refused.</summary>
    public TimeSpan? Take(string key, double rate, double burst)
        => _buckets.Update(key, (rate, burst, frequency: (double)_buckets.TimestampFrequency), static (bucket, args, now) =>
        {
            var excess = 0.0;
            if (bucket.Used)
            {
                var elapsed = Math.Abs(now - bucket.Last) / args.frequency;
                excess = Math.Max(bucket.Excess - (args.rate * elapsed) + 1, 0);
                if (excess > args.burst)
                {
                    return (TimeSpan?)null;
                }
            }

            bucket.Used = true;
            bucket.Excess = excess;
            bucket.Last = now;
            bucket.Rate = args.rate;
            return TimeSpan.FromSeconds(excess / args.rate);
        });

    /// <summary>Drops buckets whose next request would find them empty, as if never used. Internal so tests sweep deterministically.</summary>
    internal void Sweep(long now) => _buckets.Sweep(now);

    private sealed class Bucket : LimitKeyStore<Bucket>.Entry
    {
        public bool Used;

        public double Excess;

        public long Last;

        public double Rate;

        public override bool IsIdle(long now, long frequency)
            => !Used || Excess - (Rate * ((now - Last) / (double)frequency)) + 1 <= 0;
    }
}

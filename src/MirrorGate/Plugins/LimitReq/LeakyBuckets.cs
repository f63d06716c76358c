using System.Collections.Concurrent;

namespace MirrorGate.Plugins.LimitReq;

/// <summary>
/// limit-req's node-wide buckets, as resty.limit.req: each key's bucket holds an excess (requests
/// beyond <c>rate</c>) that leaks at <c>rate</c> per second; a request adds one, is refused when
/// the excess would pass <c>burst</c> (a refusal adds nothing), and otherwise waits excess/rate
/// seconds. One store per node outlives snapshots; a bucket that has leaked empty is the same as
/// no bucket, so sweeping it off the request path bounds memory to recently active keys.
/// </summary>
internal sealed class LeakyBuckets(TimeProvider time)
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private long _nextSweep;
    private int _sweeping;

    public int Count => _buckets.Count;

    /// <summary>The delay the request must wait, or null when it is refused.</summary>
    public TimeSpan? Take(string key, double rate, double burst)
    {
        var now = time.GetTimestamp();
        MaybeSweep(now);
        while (true)
        {
            var bucket = _buckets.GetOrAdd(key, static _ => new Bucket());
            // A per-key lock: leak, check and add must be one step for a key; keys never contend.
            lock (bucket)
            {
                if (bucket.Removed)
                {
                    continue;
                }

                var excess = 0.0;
                if (bucket.Used)
                {
                    var elapsed = Math.Abs(now - bucket.Last) / (double)time.TimestampFrequency;
                    excess = Math.Max(bucket.Excess - (rate * elapsed) + 1, 0);
                    if (excess > burst)
                    {
                        return null;
                    }
                }

                bucket.Used = true;
                bucket.Excess = excess;
                bucket.Last = now;
                bucket.Rate = rate;
                return TimeSpan.FromSeconds(excess / rate);
            }
        }
    }

    private void MaybeSweep(long now)
    {
        if (now < Volatile.Read(ref _nextSweep) || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        Volatile.Write(ref _nextSweep, now + (long)(SweepEvery.TotalSeconds * time.TimestampFrequency));
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.buckets.Sweep(state.now), (buckets: this, now), preferLocal: false);
    }

    /// <summary>Drops buckets whose next request would find them empty, as if never used. Internal so tests sweep deterministically.</summary>
    internal void Sweep(long now)
    {
        try
        {
            foreach (var (key, bucket) in _buckets)
            {
                lock (bucket)
                {
                    var elapsed = (now - bucket.Last) / (double)time.TimestampFrequency;
                    if (bucket.Used && bucket.Excess - (bucket.Rate * elapsed) + 1 > 0)
                    {
                        continue;
                    }

                    bucket.Removed = true;
                }

                _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket));
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed class Bucket
    {
        public bool Used;

        public double Excess;

        public long Last;

        public double Rate;

        public bool Removed;
    }
}

using System.Collections.Concurrent;

namespace MirrorGate.Plugins.LimitCount;

/// <summary>
/// limit-count's node-wide counters, as resty.limit.count over a shared dict: a key's window
/// starts with its first request and lasts <c>time_window</c>; every request in it, rejected or
/// not, spends one. One store per node outlives snapshots, so counters survive a rebuild; the
/// key carries the config's scope, so a changed config starts fresh. Ended windows are swept
/// off the request path, so memory follows the keys seen in the last window.
/// </summary>
internal sealed class FixedWindowCounters(TimeProvider time)
{
    // A sweep walks every key; once a second bounds its cost while expired windows wait at most that long.
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private long _nextSweep;
    private int _sweeping;

    /// <summary>Keys currently held (tests and diagnostics).</summary>
    public int Count => _windows.Count;

    /// <summary>Spends one request of <paramref name="key"/>'s window of <paramref name="limit"/> requests.</summary>
    public FixedWindowVerdict Take(string key, long limit, TimeSpan window)
    {
        var now = time.GetTimestamp();
        MaybeSweep(now);
        var length = (long)(window.TotalSeconds * time.TimestampFrequency);
        while (true)
        {
            var entry = _windows.GetOrAdd(key, static _ => new Window());
            long remaining;
            long endsAt;
            bool started;
            // A per-key lock: the read-spend-write of one key must be atomic; keys never contend with each other.
            lock (entry)
            {
                if (entry.Removed)
                {
                    continue;
                }

                started = now >= entry.EndsAt;
                if (started)
                {
                    entry.EndsAt = now + length;
                    entry.Remaining = limit;
                }

                remaining = --entry.Remaining;
                endsAt = entry.EndsAt;
            }

            // APISIX reports the full window on the request that opened it, else the time left.
            var reset = started ? window.TotalSeconds : Math.Max(0, (double)(endsAt - now) / time.TimestampFrequency);
            return new FixedWindowVerdict(remaining >= 0, Math.Max(0, remaining), reset);
        }
    }

    private void MaybeSweep(long now)
    {
        if (now < Volatile.Read(ref _nextSweep) || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        Volatile.Write(ref _nextSweep, now + (long)(SweepEvery.TotalSeconds * time.TimestampFrequency));
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.counters.Sweep(state.now), (counters: this, now), preferLocal: false);
    }

    /// <summary>Drops ended windows. Internal so tests can sweep deterministically.</summary>
    internal void Sweep(long now)
    {
        try
        {
            foreach (var (key, entry) in _windows)
            {
                lock (entry)
                {
                    if (now < entry.EndsAt)
                    {
                        continue;
                    }

                    entry.Removed = true;
                }

                _windows.TryRemove(new KeyValuePair<string, Window>(key, entry));
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed class Window
    {
        public long EndsAt = long.MinValue;

        public long Remaining;

        public bool Removed;
    }
}

/// <summary>One request's outcome: allowed or not, what is left (never below 0) and seconds until the window ends.</summary>
internal readonly record struct FixedWindowVerdict(bool Allowed, long Remaining, double ResetSeconds);

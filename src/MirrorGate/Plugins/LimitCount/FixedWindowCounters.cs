using MirrorGate.Plugins.Limiting;

namespace MirrorGate.Plugins.LimitCount;

/// <summary>
/// limit-count's node-wide counters, as resty.limit.count over a shared dict: a key's window
/// starts with its first request and lasts <c>time_window</c>; every request in it, rejected or
/// not, spends one. Ended windows are swept, so memory follows the keys seen in the last window.
/// </summary>
internal sealed class FixedWindowCounters(TimeProvider time)
{
    private readonly LimitKeyStore<Window> _windows = new(time);

    /// <summary>Keys currently held (tests and diagnostics).</summary>
    public int Count => _windows.Count;

    /// <summary>Spends one request of <paramref name="key"/>'s window of <paramref name="limit"/> requests.</summary>
    public FixedWindowVerdict Take(string key, long limit, TimeSpan window)
    {
        var frequency = _windows.TimestampFrequency;
        return _windows.Update(key, (limit, window, length: (long)(window.TotalSeconds * frequency), frequency), static (entry, args, now) =>
        {
            var started = now >= entry.EndsAt;
            if (started)
            {
                entry.EndsAt = now + args.length;
                entry.Remaining = args.limit;
            }

            var remaining = --entry.Remaining;
            // APISIX reports the full window on the request that opened it, else the time left.
            var reset = started ? args.window.TotalSeconds : Math.Max(0, (double)(entry.EndsAt - now) / args.frequency);
            return new FixedWindowVerdict(remaining >= 0, Math.Max(0, remaining), reset);
        });
    }

    /// <summary>Drops ended windows. Internal so tests can sweep deterministically.</summary>
    internal void Sweep(long now) => _windows.Sweep(now);

    private sealed class Window : LimitKeyStore<Window>.Entry
    {
        public long EndsAt = long.MinValue;

        public long Remaining;

        public override bool IsIdle(long now, long frequency) => now >= EndsAt;
    }
}

/// <summary>One request's outcome: allowed or not, what is left (never below 0) and seconds until the window ends.</summary>
internal readonly record struct FixedWindowVerdict(bool Allowed, long Remaining, double ResetSeconds);

using System.Collections.Concurrent;

namespace MirrorGate.Observability;

/// <summary>
/// Lets at most <c>maxPerInterval</c> log lines through per key in each fixed interval and counts
/// the rest, so a dead mirror under load writes a few lines a minute instead of one per request.
/// The next allowed line carries the number suppressed since the previous one.
/// </summary>
/// <remarks>
/// Use a struct key (a value tuple of route id, target and failure kind) so a suppressed call
/// allocates nothing: it is a dictionary probe, two volatile reads and one Interlocked increment,
/// with no lock. Only an allowed line (already rare) takes the per-key lock.
/// </remarks>
internal sealed class LogRateLimiter<TKey>
    where TKey : notnull
{
    /// <summary>Bounds memory when keys come from traffic (route ids, targets); later keys share one budget.</summary>
    public const int DefaultMaxKeys = 1024;

    private readonly TimeProvider _time;
    private readonly int _maxPerInterval;
    private readonly long _intervalTicks;
    private readonly int _maxKeys;
    private readonly ConcurrentDictionary<TKey, KeyState> _states = new();
    private readonly KeyState _overflow = new();
    private int _keyCount;

    public LogRateLimiter(TimeProvider timeProvider, int maxPerInterval, TimeSpan interval, int maxKeys = DefaultMaxKeys)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPerInterval);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxKeys);

        _time = timeProvider;
        _maxPerInterval = maxPerInterval;

        // Timestamps, not wall-clock time: a clock step must not open or close the window.
        _intervalTicks = Math.Max(1, (long)(interval.TotalSeconds * timeProvider.TimestampFrequency));
        _maxKeys = maxKeys;
    }

    /// <summary>
    /// True when the caller should log now. <paramref name="suppressed"/> is then how many lines
    /// for this key were held back since the last allowed one (0 when none); pass it to
    /// <see cref="LogRateLimiter.SuppressedNote"/> for the log text.
    /// </summary>
    public bool TryAcquire(TKey key, out long suppressed)
    {
        var state = GetState(key);
        var now = _time.GetTimestamp();

        // Lock-free refusal: the window is still open and its budget is spent.
        if (now < Volatile.Read(ref state.WindowEnd) && Volatile.Read(ref state.Count) >= _maxPerInterval)
        {
            Interlocked.Increment(ref state.Suppressed);
            suppressed = 0;
            return false;
        }

        lock (state)
        {
            if (now >= state.WindowEnd)
            {
                Volatile.Write(ref state.Count, 0);
                Volatile.Write(ref state.WindowEnd, now + _intervalTicks);
            }

            if (state.Count >= _maxPerInterval)
            {
                Interlocked.Increment(ref state.Suppressed);
                suppressed = 0;
                return false;
            }

            Volatile.Write(ref state.Count, state.Count + 1);
            suppressed = Interlocked.Exchange(ref state.Suppressed, 0);
            return true;
        }
    }

    private KeyState GetState(TKey key)
    {
        if (_states.TryGetValue(key, out var state))
        {
            return state;
        }

        // Our own counter, not ConcurrentDictionary.Count (which takes every bucket lock). It may
        // overshoot by a few under races; the cap only needs to bound memory.
        if (Volatile.Read(ref _keyCount) >= _maxKeys)
        {
            return _overflow;
        }

        var created = new KeyState();
        if (_states.TryAdd(key, created))
        {
            Interlocked.Increment(ref _keyCount);
            return created;
        }

        return _states[key];
    }

    private sealed class KeyState
    {
        public long WindowEnd = long.MinValue;
        public int Count;
        public long Suppressed;
    }
}

/// <summary>Text helpers shared by every <see cref="LogRateLimiter{TKey}"/> user.</summary>
internal static class LogRateLimiter
{
    /// <summary>
    /// Empty when nothing was suppressed, else <c> (N similar messages suppressed)</c> with a leading
    /// space, so a message template can end in <c>{Suppressed}</c> and read well either way.
    /// </summary>
    public static string SuppressedNote(long suppressed) =>
        suppressed <= 0 ? string.Empty : $" ({suppressed} similar messages suppressed)";
}

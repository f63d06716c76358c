using System.Collections.Concurrent;

namespace MirrorGate.Plugins.LimitConn;

/// <summary>
/// limit-conn's node-wide counts of requests in flight per key, as resty.limit.conn over a
/// shared dict: a request past <c>conn</c> + <c>burst</c> is refused and not counted. One store
/// per node outlives snapshots, so requests admitted under an old snapshot still leave the count
/// they joined. Keys back at zero are swept off the request path, so memory follows the keys in flight.
/// </summary>
internal sealed class ConnectionCounters
{
    private const int SweepEveryAcquires = 4096;

    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);
    private int _acquires;
    private int _sweeping;

    public int Count => _counters.Count;

    /// <summary>The key's count with this request, or 0 when it is refused (and not counted).</summary>
    public long TryEnter(string key, long limit)
    {
        if (Interlocked.Increment(ref _acquires) % SweepEveryAcquires == 0 && Interlocked.Exchange(ref _sweeping, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static counters => counters.Sweep(), this, preferLocal: false);
        }

        while (true)
        {
            var counter = _counters.GetOrAdd(key, static _ => new Counter());
            // A per-key lock, so the sweep cannot drop a key between its lookup and its count.
            lock (counter)
            {
                if (counter.Removed)
                {
                    continue;
                }

                if (counter.InFlight >= limit)
                {
                    return 0;
                }

                return ++counter.InFlight;
            }
        }
    }

    /// <summary>The request that <see cref="TryEnter"/> counted has ended.</summary>
    public void Leave(string key)
    {
        if (_counters.TryGetValue(key, out var counter))
        {
            lock (counter)
            {
                counter.InFlight--;
            }
        }
    }

    /// <summary>Drops keys with nothing in flight. Internal so tests sweep deterministically.</summary>
    internal void Sweep()
    {
        try
        {
            foreach (var (key, counter) in _counters)
            {
                lock (counter)
                {
                    if (counter.InFlight > 0)
                    {
                        continue;
                    }

                    counter.Removed = true;
                }

                _counters.TryRemove(new KeyValuePair<string, Counter>(key, counter));
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed class Counter
    {
        public long InFlight;

        public bool Removed;
    }
}

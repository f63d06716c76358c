using MirrorGate.Plugins.Limiting;

namespace MirrorGate.Plugins.LimitConn;

/// <summary>
/// limit-conn's node-wide counts of requests in flight per key, as resty.limit.conn over a
/// shared dict: a request past <c>conn</c> + <c>burst</c> is refused and not counted. The store
/// outlives snapshots, so requests admitted under an old snapshot still leave the count they
/// joined. Keys back at zero are swept, so memory follows the keys in flight.
/// </summary>
internal sealed class ConnectionCounters(TimeProvider time)
{
    private readonly LimitKeyStore<Counter> _counters = new(time);

    public int Count => _counters.Count;

    /// <summary>The key's count with this request, or 0 when it is refused (and not counted).</summary>
    public long TryEnter(string key, long limit)
        => _counters.Update(key, limit, static (counter, limit, _) => counter.InFlight >= limit ? 0 : ++counter.InFlight);

    /// <summary>The request that <see cref="TryEnter"/> counted has ended.</summary>
    public void Leave(string key) => _counters.UpdateExisting(key, static counter => counter.InFlight--);

    /// <summary>Drops keys with nothing in flight. Internal so tests sweep deterministically.</summary>
    internal void Sweep() => _counters.Sweep(time.GetTimestamp());

    private sealed class Counter : LimitKeyStore<Counter>.Entry
    {
        public long InFlight;

        public override bool IsIdle(long now, long frequency) => InFlight <= 0;
    }
}

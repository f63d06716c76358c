namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// One route and target's comparison counts and its last mismatches, oldest dropped first. Used
/// off the request path (when an answer is compared, and by the Admin API), so a lock is fine.
/// </summary>
internal sealed class MismatchRing(string routeId, string target)
{
    private readonly Lock _lock = new();
    private MismatchRecord?[] _items = [];
    private int _next;
    private int _count;
    private long _match;
    private long _mismatch;
    private long _noise;
    private long _skipped;

    public string RouteId { get; } = routeId;

    public string Target { get; } = target;

    /// <summary>When this ring last changed, for dropping the least recently used one when there are too many.</summary>
    public long LastTouched { get; private set; }

    public void Count(CompareResult result, long now)
    {
        lock (_lock)
        {
            switch (result)
            {
                case CompareResult.Match: _match++; break;
                case CompareResult.Noise: _noise++; break;
                default: _mismatch++; break;
            }

            LastTouched = now;
        }
    }

    public void CountSkipped(long now)
    {
        lock (_lock)
        {
            _skipped++;
            LastTouched = now;
        }
    }

    /// <summary>Keeps <paramref name="record"/> among the last <paramref name="capacity"/> (0 keeps none).</summary>
    public void Add(MismatchRecord record, int capacity)
    {
        lock (_lock)
        {
            if (capacity != _items.Length)
            {
                Resize(capacity);
            }

            if (capacity == 0)
            {
                return;
            }

            _items[_next] = record;
            _next = (_next + 1) % capacity;
            _count = Math.Min(_count + 1, capacity);
        }
    }

    public MismatchRingView View()
    {
        lock (_lock)
        {
            var records = new MismatchRecord[_count];
            for (var i = 0; i < _count; i++)
            {
                // Newest first.
                records[i] = _items[(_next - 1 - i + _items.Length * 2) % _items.Length]!;
            }

            return new MismatchRingView(RouteId, Target, _match, _mismatch, _noise, _skipped, records);
        }
    }

    private void Resize(int capacity)
    {
        // Keep the newest records that fit, in order.
        var keep = Math.Min(_count, capacity);
        var items = new MismatchRecord?[capacity];
        for (var i = 0; i < keep; i++)
        {
            items[keep - 1 - i] = _items[(_next - 1 - i + _items.Length * 2) % _items.Length];
        }

        _items = items;
        _count = keep;
        _next = capacity == 0 ? 0 : keep % capacity;
    }
}

/// <summary>A ring as read at one moment: counts since start (or the last clear) and mismatches, newest first.</summary>
internal sealed record MismatchRingView(
    string RouteId, string Target, long Match, long Mismatch, long Noise, long Skipped, IReadOnlyList<MismatchRecord> Mismatches);

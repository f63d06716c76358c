namespace MirrorGate.Balancing;

/// <summary>
/// A streaming 32-bit hash that is the same in every process (unlike string.GetHashCode), so all
/// gateway instances send a key to the same node. FNV-1a over UTF-16 code units, then murmur3's
/// finalizer so nearby keys ("user1", "user2") land far apart on the ring.
/// </summary>
internal struct StableHash
{
    private const uint OffsetBasis = 2166136261;
    private const uint Prime = 16777619;

    private uint _state;
    private bool _started;

    public void Append(ReadOnlySpan<char> text)
    {
        if (!_started)
        {
            _state = OffsetBasis;
            _started = true;
        }

        foreach (var c in text)
        {
            _state = (_state ^ c) * Prime;
        }
    }

    public void AppendLowerInvariant(ReadOnlySpan<char> text)
    {
        Span<char> one = stackalloc char[1];
        foreach (var c in text)
        {
            one[0] = char.ToLowerInvariant(c);
            Append(one);
        }
    }

    public readonly uint Finish()
    {
        var h = _started ? _state : OffsetBasis;
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }

    public static uint Of(ReadOnlySpan<char> text)
    {
        var hash = default(StableHash);
        hash.Append(text);
        return hash.Finish();
    }
}

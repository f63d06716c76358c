namespace MirrorGate.Balancing;

/// <summary>
/// A consistent-hash ring over one priority group: each node owns points in proportion to its
/// weight (160 per gcd-reduced weight unit, as resty.chash), so adding or removing a node only
/// moves the keys next to its points. Immutable once built.
/// </summary>
internal sealed class HashRing
{
    public const int PointsPerWeight = 160;

    /// <summary>Caps the ring for extreme weight ratios; proportions are kept by scaling down.</summary>
    private const long MaxPoints = 1 << 20;

    private readonly uint[] _points;
    private readonly int[] _owners;

    public HashRing(int[] members, UpstreamNode[] nodes)
    {
        var weighted = members.Where(i => nodes[i].Weight > 0).ToArray();
        var gcd = weighted.Aggregate(0, (g, i) => Gcd(g, nodes[i].Weight));
        long total = weighted.Sum(i => (long)(nodes[i].Weight / gcd) * PointsPerWeight);
        var scale = total > MaxPoints ? (double)MaxPoints / total : 1.0;

        var points = new List<(uint Point, int Owner)>();
        Span<char> suffix = stackalloc char[11];
        foreach (var index in weighted)
        {
            var count = Math.Max(1, (int)((nodes[index].Weight / gcd) * PointsPerWeight * scale));
            for (var p = 0; p < count; p++)
            {
                // Points depend on the node's address only, not its position in the list, so
                // reordering nodes in the config moves no keys.
                var hash = default(StableHash);
                hash.Append(nodes[index].Authority);
                p.TryFormat(suffix, out var written);
                hash.Append("#");
                hash.Append(suffix[..written]);
                points.Add((hash.Finish(), index));
            }
        }

        // Ties (rare) are broken by address so every process builds the same ring.
        points.Sort((a, b) => a.Point != b.Point
            ? a.Point.CompareTo(b.Point)
            : string.CompareOrdinal(nodes[a.Owner].Authority, nodes[b.Owner].Authority));
        _points = points.Select(p => p.Point).ToArray();
        _owners = points.Select(p => p.Owner).ToArray();
    }

    /// <summary>
    /// The owner of the first point at or after <paramref name="hash"/> that <paramref name="filter"/>
    /// allows, walking clockwise past unhealthy or tried nodes (so a key moves only while its node
    /// is out, and to the same neighbour every time). -1 when no point's owner is allowed.
    /// </summary>
    public int Find(uint hash, in NodeFilter filter)
    {
        var length = _points.Length;
        if (length == 0)
        {
            return -1;
        }

        var start = LowerBound(hash);
        var previous = -1;
        for (var step = 0; step < length; step++)
        {
            var owner = _owners[(start + step) % length];
            if (owner == previous)
            {
                continue;
            }

            if (filter.Allows(owner))
            {
                return owner;
            }

            previous = owner;
        }

        return -1;
    }

    private int LowerBound(uint hash)
    {
        int lo = 0, hi = _points.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_points[mid] < hash)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo == _points.Length ? 0 : lo;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}

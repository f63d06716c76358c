namespace MirrorGate.Balancing;

/// <summary>
/// <c>type: roundrobin</c>: nginx's smooth weighted round robin, exact over each cycle. The cycle
/// is unrolled per priority group for the current health view and walked with an atomic counter,
/// so a pick takes no lock and allocates nothing; it is rebuilt only when health flips. A node
/// this request already tried is skipped by moving on along the cycle. Upstreams whose cycle is
/// too long to unroll run the same algorithm live under a short per-group lock, as nginx does.
/// </summary>
internal sealed class RoundRobinBalancer : LoadBalancerBase
{
    private readonly int[] _counters;
    private readonly object[] _groupLocks;
    private readonly long[][] _currentWeights;
    private Cycles? _cycles;

    public RoundRobinBalancer(IReadOnlyList<UpstreamNode> nodes, HealthChecker? health)
        : base(nodes, health)
    {
        _counters = new int[Groups.Length];
        _groupLocks = Groups.Select(_ => new object()).ToArray();
        _currentWeights = Groups.Select(g => new long[g.Length]).ToArray();
    }

    protected override int PickInGroup(int group, int[] members, uint requestHash, in NodeFilter filter)
    {
        var cycles = Volatile.Read(ref _cycles);
        if (cycles is null || cycles.HealthKey != filter.HealthKey)
        {
            // Concurrent rebuilds after a flip produce equal results; the last write wins.
            cycles = BuildCycles(in filter);
            Volatile.Write(ref _cycles, cycles);
        }

        var cycle = cycles.PerGroup[group];
        if (cycle is null)
        {
            return PickLive(group, members, in filter);
        }

        if (cycle.Length == 0)
        {
            return -1;
        }

        var start = (uint)(Interlocked.Increment(ref _counters[group]) - 1);
        var length = (uint)cycle.Length;
        for (uint step = 0; step < length; step++)
        {
            var index = cycle[(start + step) % length];
            if (filter.Allows(index))
            {
                return index;
            }
        }

        return -1;
    }

    private Cycles BuildCycles(in NodeFilter filter)
    {
        var perGroup = new int[]?[Groups.Length];
        var candidates = new List<int>();
        for (var g = 0; g < Groups.Length; g++)
        {
            candidates.Clear();
            foreach (var index in Groups[g])
            {
                if (NodeArray[index].Weight > 0 && filter.HealthAllows(index))
                {
                    candidates.Add(index);
                }
            }

            perGroup[g] = SmoothWeightedCycle.TryBuild(candidates, NodeArray);
        }

        return new Cycles(filter.HealthKey, perGroup);
    }

    /// <summary>The smooth algorithm step by step, for cycles too long to unroll.</summary>
    private int PickLive(int group, int[] members, in NodeFilter filter)
    {
        var current = _currentWeights[group];
        lock (_groupLocks[group])
        {
            long total = 0;
            var best = -1;
            for (var i = 0; i < members.Length; i++)
            {
                if (!filter.Allows(members[i]))
                {
                    continue;
                }

                var weight = NodeArray[members[i]].Weight;
                current[i] += weight;
                total += weight;
                if (best < 0 || current[i] > current[best])
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                return -1;
            }

            current[best] -= total;
            return members[best];
        }
    }

    private sealed record Cycles(long HealthKey, int[]?[] PerGroup);
}

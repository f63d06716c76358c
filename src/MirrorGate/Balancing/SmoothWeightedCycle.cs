namespace MirrorGate.Balancing;

/// <summary>
/// nginx's smooth weighted round robin, unrolled into one full cycle of picks. With weights
/// reduced by their gcd the cycle has sum(weights) slots and each node appears exactly weight
/// times, interleaved (3:1 gives A A B A, not A A A B). Walking the array with an atomic counter
/// then gives nginx's exact proportions without a lock.
/// </summary>
internal static class SmoothWeightedCycle
{
    /// <summary>Longest cycle we unroll; beyond this the caller runs the algorithm live instead.</summary>
    public const int MaxLength = 1 << 16;

    /// <summary>Bounds build work (cycle length x nodes), since a build runs on a request thread.</summary>
    private const long MaxBuildSteps = 1 << 24;

    /// <summary>
    /// The cycle over <paramref name="candidates"/> (node indexes, weights from <paramref name="nodes"/>),
    /// or null when it would be too long to unroll.
    /// </summary>
    public static int[]? TryBuild(IReadOnlyList<int> candidates, UpstreamNode[] nodes)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        var gcd = 0;
        foreach (var index in candidates)
        {
            gcd = Gcd(gcd, nodes[index].Weight);
        }

        long length = 0;
        foreach (var index in candidates)
        {
            length += nodes[index].Weight / gcd;
        }

        if (length > MaxLength || length * candidates.Count > MaxBuildSteps)
        {
            return null;
        }

        var weights = candidates.Select(i => nodes[i].Weight / gcd).ToArray();
        var current = new long[weights.Length];
        var cycle = new int[length];
        for (var slot = 0; slot < cycle.Length; slot++)
        {
            cycle[slot] = candidates[Step(weights, current)];
        }

        return cycle;
    }

    /// <summary>
    /// One step of the smooth algorithm: every candidate gains its weight, the largest wins and
    /// pays back the total. Returns the winning position.
    /// </summary>
    private static int Step(int[] weights, long[] current)
    {
        long total = 0;
        var best = -1;
        for (var i = 0; i < weights.Length; i++)
        {
            current[i] += weights[i];
            total += weights[i];
            if (best < 0 || current[i] > current[best])
            {
                best = i;
            }
        }

        if (best >= 0)
        {
            current[best] -= total;
        }

        return best;
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

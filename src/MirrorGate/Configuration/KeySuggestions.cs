namespace MirrorGate.Configuration;

/// <summary>"did you mean" for a misspelt config.yaml key: the closest known key by edit distance.</summary>
internal static class KeySuggestions
{
    /// <summary>
    /// <c>, did you mean 'node_listen'?</c> for <c>apisix.node_lisen</c> (a key of the same mapping),
    /// <c>, did you mean 'apisix.node_listen'?</c> for a top-level <c>node_lisen</c> (a key elsewhere),
    /// or empty when nothing is close.
    /// </summary>
    public static string DidYouMean(string unknownPath, IEnumerable<string> mirrorGateKeys)
    {
        var path = ApisixKeys.Normalize(unknownPath);
        var parent = ApisixKeys.Parent(path);
        var leaf = ApisixKeys.Leaf(path);
        var candidates = mirrorGateKeys.Concat(ApisixKeys.Paths).Distinct(StringComparer.Ordinal).ToArray();

        // A key of the same mapping first; then the same name anywhere (a key put in the wrong section).
        var sibling = Closest(leaf, candidates.Where(c => ApisixKeys.Parent(c) == parent));
        if (sibling is not null)
        {
            return $", did you mean '{ApisixKeys.Leaf(sibling)}'?";
        }

        var elsewhere = Closest(leaf, candidates.Where(c => c != path));
        return elsewhere is null ? string.Empty : $", did you mean '{elsewhere}'?";
    }

    private static string? Closest(string leaf, IEnumerable<string> candidates)
    {
        var limit = leaf.Length <= 4 ? 1 : leaf.Length <= 8 ? 2 : 3;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(leaf.ToLowerInvariant(), ApisixKeys.Leaf(candidate).ToLowerInvariant());
            if (distance <= limit && distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best;
    }

    /// <summary>Levenshtein distance, with a swap of two neighbours counted as one edit (<c>lsiten</c>).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}

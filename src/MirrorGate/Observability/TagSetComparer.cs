namespace MirrorGate.Observability;

/// <summary>
/// Lets a series map be probed with the tag span an instrument hands the listener, without
/// copying or sorting it: the hash is a commutative sum of per-tag hashes, and equality looks
/// each span tag up in the stored (sorted, unique-key) set. This is what keeps recording on an
/// already-seen tag set free of allocations.
/// </summary>
internal sealed class TagSetComparer
    : IEqualityComparer<TagSet>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, TagSet>
{
    public static readonly TagSetComparer Instance = new();

    private TagSetComparer()
    {
    }

    public bool Equals(TagSet? x, TagSet? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || x.Hash != y.Hash)
        {
            return false;
        }

        // Both sides are sorted with unique keys: compare pairwise.
        var a = x.Tags;
        var b = y.Tags;
        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            if (!string.Equals(a[i].Key, b[i].Key, StringComparison.Ordinal) || !object.Equals(a[i].Value, b[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(TagSet obj) => obj.Hash;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, TagSet other) => SpanEquals(alternate, other.Tags);

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => HashOf(alternate);

    public TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => TagSet.Create(alternate);

    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // Summing keeps the hash independent of tag order; the count is mixed in at the end.
        var sum = 0;
        foreach (var tag in tags)
        {
            sum = unchecked(sum + HashCode.Combine(StringComparer.Ordinal.GetHashCode(tag.Key), tag.Value));
        }

        return HashCode.Combine(sum, tags.Length);
    }

    private static bool SpanEquals(ReadOnlySpan<KeyValuePair<string, object?>> tags, KeyValuePair<string, object?>[] stored)
    {
        // Stored keys are unique, so equal lengths plus every span tag matching a distinct stored
        // tag means the sets are equal. The "distinct" mask rejects a span that repeats a key
        // (it must take the slow path, where TagSet.Create de-duplicates it). Sets over 64 tags
        // never match by span; they always take the slow path.
        if (tags.Length != stored.Length || tags.Length > 64)
        {
            return false;
        }

        var matched = 0UL;
        foreach (var tag in tags)
        {
            var index = IndexOf(stored, tag.Key);
            if (index < 0 || (matched & (1UL << index)) != 0 || !object.Equals(stored[index].Value, tag.Value))
            {
                return false;
            }

            matched |= 1UL << index;
        }

        return true;
    }

    private static int IndexOf(KeyValuePair<string, object?>[] sorted, string key)
    {
        // Tag sets are small (1-4 tags): a linear scan beats a binary search's branches.
        for (var i = 0; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}

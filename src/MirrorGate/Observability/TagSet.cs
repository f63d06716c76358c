namespace MirrorGate.Observability;

/// <summary>
/// The identity of one series: an instrument's tags, de-duplicated and sorted by key, with the
/// Prometheus label text rendered once at creation so scrapes do not re-format every series.
/// </summary>
internal sealed class TagSet
{
    public static readonly TagSet Empty = new([], 0);

    private TagSet(KeyValuePair<string, object?>[] tags, int hash)
    {
        Tags = tags;
        Hash = hash;
        Labels = PrometheusText.FormatLabels(tags);
    }

    /// <summary>Sorted by key (ordinal), unique keys.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>Order-independent, so an unsorted span of the same tags hashes the same (see <see cref="TagSetComparer"/>).</summary>
    public int Hash { get; }

    /// <summary><c>a="x",b="y"</c>, without braces, so a histogram can append its <c>le</c> label.</summary>
    public string Labels { get; }

    /// <summary>Slow path, once per new series: copies, de-duplicates (last value wins) and sorts.</summary>
    public static TagSet Create(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return Empty;
        }

        var list = new List<KeyValuePair<string, object?>>(tags.Length);
        foreach (var tag in tags)
        {
            var existing = list.FindIndex(t => string.Equals(t.Key, tag.Key, StringComparison.Ordinal));
            if (existing >= 0)
            {
                list[existing] = tag;
            }
            else
            {
                list.Add(tag);
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var sorted = list.ToArray();
        return new TagSet(sorted, TagSetComparer.HashOf(sorted));
    }
}

using System.Collections.Concurrent;

namespace MirrorGate.Observability;

/// <summary>
/// The series of one instrument, keyed by tag set. A measurement on a tag set already seen is
/// one lock-free dictionary probe with the caller's tag span (no copy, no sort, no allocation);
/// only the first measurement of a new tag set builds a <see cref="TagSet"/>.
/// </summary>
internal sealed class SeriesMap<TSeries>
    where TSeries : class
{
    private readonly ConcurrentDictionary<TagSet, TSeries> _series = new(TagSetComparer.Instance);
    private readonly ConcurrentDictionary<TagSet, TSeries>.AlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>> _bySpan;
    private readonly Func<TagSet, TSeries> _factory;

    public SeriesMap(Func<TagSet, TSeries> factory)
    {
        _factory = factory;
        _bySpan = _series.GetAlternateLookup<ReadOnlySpan<KeyValuePair<string, object?>>>();
    }

    public TSeries GetOrAdd(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_bySpan.TryGetValue(tags, out var series))
        {
            return series;
        }

        // Two threads racing on a new tag set may both build a TagSet; GetOrAdd keeps one series.
        return _series.GetOrAdd(TagSet.Create(tags), _factory);
    }

    public void Clear() => _series.Clear();

    /// <summary>A moment-in-time copy for a scrape; concurrent recording continues meanwhile.</summary>
    public KeyValuePair<TagSet, TSeries>[] Snapshot() => _series.ToArray();
}

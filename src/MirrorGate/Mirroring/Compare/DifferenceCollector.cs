namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Takes the differences one comparison finds. In the noise pass (primary against noise target)
/// it only remembers where they were; in the real pass it sorts each into noise (a location the
/// noise pass saw, or below one) or real, keeping the first real ones and counting the rest.
/// </summary>
internal sealed class DifferenceCollector
{
    // A noise answer differing in more places than this is not a useful baseline; the locations
    // beyond it are not remembered (their differences then count as real).
    internal const int MaxNoiseLocations = 10_000;

    private readonly DifferenceCollector? _noise;
    private readonly int _maxRecorded;
    private readonly HashSet<string>? _locations;
    private readonly List<CompareDifference> _recorded = [];

    private DifferenceCollector(DifferenceCollector? noise, int maxRecorded, bool remembersLocations)
    {
        _noise = noise;
        _maxRecorded = maxRecorded;
        _locations = remembersLocations ? new HashSet<string>(StringComparer.Ordinal) : null;
    }

    /// <summary>For the primary against noise target pass: remembers locations only.</summary>
    public static DifferenceCollector ForNoise() => new(null, 0, remembersLocations: true);

    /// <summary>For the primary against candidate pass, classifying against <paramref name="noise"/> when given.</summary>
    public static DifferenceCollector ForCandidate(DifferenceCollector? noise, int maxRecorded) => new(noise, maxRecorded, remembersLocations: false);

    public IReadOnlyList<CompareDifference> Recorded => _recorded;

    public int RealCount { get; private set; }

    public int NoiseCount { get; private set; }

    /// <summary>True when the noise pass saw JSON differences, so the real pass must track paths.</summary>
    public bool HasJsonNoise { get; private set; }

    /// <summary>Status, a header, or the body as bytes: noise when the noise pass saw the same location.</summary>
    public void Add(CompareDifference difference) => Add(difference, IsNoiseLocation(difference.Location));

    /// <summary>A JSON location; <paramref name="underNoise"/> when it or an ancestor differed in the noise pass.</summary>
    public void Add(CompareDifference difference, bool underNoise)
    {
        if (_locations is not null)
        {
            if (_locations.Count < MaxNoiseLocations)
            {
                _locations.Add(difference.Location);
                HasJsonNoise |= difference.Kind == DifferenceKind.Json;
            }

            return;
        }

        if (underNoise)
        {
            NoiseCount++;
            return;
        }

        RealCount++;
        if (_recorded.Count < _maxRecorded)
        {
            _recorded.Add(difference);
        }
    }

    /// <summary>Whether the noise pass differed at <paramref name="location"/>.</summary>
    public bool IsNoiseLocation(string location) => _noise?._locations?.Contains(location) == true;

    /// <summary>Whether the noise pass found the bodies different as bytes (then every body difference is noise).</summary>
    public bool BodyIsNoise => IsNoiseLocation(ResponseComparer.BodyLocation);

    public bool NoiseHasJson => _noise?.HasJsonNoise == true;
}

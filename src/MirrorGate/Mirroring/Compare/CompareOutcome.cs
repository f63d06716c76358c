namespace MirrorGate.Mirroring.Compare;

/// <summary>What a comparison concluded.</summary>
internal enum CompareResult
{
    /// <summary>No difference outside the ignore rules.</summary>
    Match,

    /// <summary>Differences, but each also appeared between the primary and the noise target.</summary>
    Noise,

    /// <summary>At least one difference that is not noise.</summary>
    Mismatch,
}

/// <summary>Where two answers differ.</summary>
internal enum DifferenceKind
{
    Status,
    Header,

    /// <summary>A location inside two JSON bodies compared structurally.</summary>
    Json,

    /// <summary>Two bodies compared byte by byte.</summary>
    Body,
}

/// <summary>
/// One difference. <see cref="Location"/> is <c>status</c>, a header name in lower case, a JSON
/// path (<c>$.items[2].price</c>) or <c>body</c>. The values are as the answers had them (status
/// code, joined header value, compact JSON), at most 256 characters, already redacted; null when
/// the answer had nothing there (a header or JSON member present on one side only).
/// </summary>
internal sealed record CompareDifference(DifferenceKind Kind, string Location, string? Primary, string? Candidate, string? Detail = null);

/// <summary>
/// The result of comparing the primary's answer with a target's. <see cref="Differences"/> holds
/// the first real (not noise) differences, at most <see cref="ResponseComparer.MaxRecordedDifferences"/>;
/// <see cref="DifferenceCount"/> counts them all.
/// </summary>
internal sealed class CompareOutcome
{
    public required CompareResult Result { get; init; }

    public required IReadOnlyList<CompareDifference> Differences { get; init; }

    /// <summary>Every real difference found, recorded or not.</summary>
    public required int DifferenceCount { get; init; }

    /// <summary>Differences dropped as noise.</summary>
    public required int NoiseCount { get; init; }

    /// <summary>How the bodies were compared: <c>json</c>, <c>bytes</c> or <c>bytes_prefix</c> (one side was cut at body_bytes).</summary>
    public required string BodyComparison { get; init; }
}

using System.Globalization;
using System.Text.Json;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Compares a target's answer with the primary's: status, headers (by name, case-insensitive,
/// repeated headers joined in order; one present on one side only is a difference), and the body:
/// structurally when both bodies were kept whole and both parse as JSON, else byte by byte. With a
/// noise answer (a second target running the primary's version), differences found at the same
/// location between primary and noise are noise (Diffy's cancelling). Runs off the request path;
/// never throws, whatever the answers hold.
/// </summary>
internal static class ResponseComparer
{
    /// <summary>Real differences kept in an outcome; the rest are only counted.</summary>
    public const int MaxRecordedDifferences = 100;

    public const string StatusLocation = "status";
    public const string BodyLocation = "body";

    // Parsing is iterative, so a deep document costs no stack; the walk stops at JsonBodyDiff.MaxDepth.
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 256 };

    public static CompareOutcome Compare(CapturedResponse primary, CapturedResponse candidate, CapturedResponse? noise, CompareOptions options)
    {
        DifferenceCollector? noiseCollector = null;
        if (noise is not null)
        {
            noiseCollector = DifferenceCollector.ForNoise();
            Run(primary, noise, options, noiseCollector);
        }

        var collector = DifferenceCollector.ForCandidate(noiseCollector, MaxRecordedDifferences);
        var bodyComparison = Run(primary, candidate, options, collector);
        return new CompareOutcome
        {
            Result = collector.RealCount > 0 ? CompareResult.Mismatch : collector.NoiseCount > 0 ? CompareResult.Noise : CompareResult.Match,
            Differences = collector.Recorded,
            DifferenceCount = collector.RealCount,
            NoiseCount = collector.NoiseCount,
            BodyComparison = bodyComparison,
        };
    }

    private static string Run(CapturedResponse primary, CapturedResponse other, CompareOptions options, DifferenceCollector collector)
    {
        try
        {
            if (primary.Status != other.Status)
            {
                collector.Add(new CompareDifference(DifferenceKind.Status, StatusLocation,
                    primary.Status.ToString(CultureInfo.InvariantCulture), other.Status.ToString(CultureInfo.InvariantCulture)));
            }

            CompareHeaders(primary, other, options, collector);
            return CompareBodies(primary, other, options, collector);
        }
        catch (Exception ex)
        {
            // A bug, not an input: the answer is still counted, as a difference that says so.
            collector.Add(new CompareDifference(DifferenceKind.Body, BodyLocation, null, null, $"the comparison failed: {ex.GetType().Name}"));
            return "failed";
        }
    }

    private static void CompareHeaders(CapturedResponse primary, CapturedResponse other, CompareOptions options, DifferenceCollector collector)
    {
        var a = Joined(primary, options);
        var b = Joined(other, options);
        foreach (var (key, (name, value)) in a)
        {
            var redacted = options.IsRedactedHeader(name);
            if (!b.TryGetValue(key, out var theirs))
            {
                collector.Add(new CompareDifference(DifferenceKind.Header, key, Shown(value, redacted), null, "absent from the candidate"));
            }
            else if (!string.Equals(value, theirs.Value, StringComparison.Ordinal))
            {
                collector.Add(new CompareDifference(DifferenceKind.Header, key, Shown(value, redacted), Shown(theirs.Value, redacted)));
            }
        }

        foreach (var (key, (name, value)) in b)
        {
            if (!a.ContainsKey(key))
            {
                collector.Add(new CompareDifference(DifferenceKind.Header, key, null, Shown(value, options.IsRedactedHeader(name)), "absent from the primary"));
            }
        }
    }

    private static string Shown(string value, bool redacted) => redacted ? JsonValueText.Redacted : JsonValueText.Cut(value);

    /// <summary>Headers not ignored, by lower-case name, each with its values joined in order by <c>", "</c>.</summary>
    private static Dictionary<string, (string Name, string Value)> Joined(CapturedResponse response, CompareOptions options)
    {
        var joined = new Dictionary<string, (string Name, string Value)>(StringComparer.Ordinal);
        foreach (var (name, values) in response.Headers ?? [])
        {
            if (string.IsNullOrEmpty(name) || options.IsIgnoredHeader(name))
            {
                continue;
            }

            var key = name.ToLowerInvariant();
            var value = string.Join(", ", values ?? []);
            joined[key] = joined.TryGetValue(key, out var earlier) ? (earlier.Name, earlier.Value + ", " + value) : (name, value);
        }

        return joined;
    }

    private static string CompareBodies(CapturedResponse primary, CapturedResponse other, CompareOptions options, DifferenceCollector collector)
    {
        // Equal bytes are equal by every reading, JSON's too. Most compared answers are, and
        // parsing and walking two documents costs forty times this check.
        if (!primary.Truncated && !other.Truncated && primary.Body.Span.SequenceEqual(other.Body.Span))
        {
            return "bytes";
        }

        if (!primary.Truncated && !other.Truncated
            && (MayBeJson(primary) || MayBeJson(other))
            && TryParse(primary.Body, out var docA))
        {
            using (docA)
            {
                if (TryParse(other.Body, out var docB))
                {
                    using (docB)
                    {
                        // A noise answer whose body differed from the primary's as bytes (it was not JSON
                        // like the primary's) makes every body difference noise.
                        JsonBodyDiff.Run(docA.RootElement, docB.RootElement, options, collector, allNoise: collector.BodyIsNoise);
                        return "json";
                    }
                }
            }
        }

        return CompareBytes(primary, other, collector);
    }

    private static string CompareBytes(CapturedResponse primary, CapturedResponse other, DifferenceCollector collector)
    {
        var a = primary.Body.Span;
        var b = other.Body.Span;
        var covered = Math.Min(a.Length, b.Length);
        var common = a[..covered].CommonPrefixLength(b[..covered]);
        var truncated = primary.Truncated || other.Truncated;
        string? detail = null;
        if (common < covered)
        {
            detail = $"first difference at byte {common}; lengths {primary.BodyLength} and {other.BodyLength} bytes";
        }
        else if (primary.BodyLength != other.BodyLength)
        {
            detail = $"bodies differ in length: lengths {primary.BodyLength} and {other.BodyLength} bytes";
        }

        if (detail is not null)
        {
            collector.Add(new CompareDifference(DifferenceKind.Body, BodyLocation,
                primary.BodyLength.ToString(CultureInfo.InvariantCulture), other.BodyLength.ToString(CultureInfo.InvariantCulture),
                truncated ? $"{detail}; the comparison covered {covered} bytes" : detail));
        }

        return truncated ? "bytes_prefix" : "bytes";
    }

    private static bool MayBeJson(CapturedResponse response)
    {
        foreach (var (name, values) in response.Headers ?? [])
        {
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase)
                && (values ?? []).Any(v => v is not null && v.Contains("json", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        var body = response.Body.Span.TrimStart(" \t\r\n"u8);
        return !body.IsEmpty && body[0] is (byte)'{' or (byte)'[';
    }

    private static bool TryParse(ReadOnlyMemory<byte> body, out JsonDocument document)
    {
        try
        {
            document = JsonDocument.Parse(body, ParseOptions);
            return true;
        }
        catch (JsonException)
        {
            document = null!;
            return false;
        }
    }
}

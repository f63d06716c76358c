using System.Runtime.InteropServices;
using System.Text.Json;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Compares two JSON documents structurally: objects by member name (order does not matter; a
/// repeated name counts once, the last wins, as in JavaScript), arrays by index, numbers by value
/// (<see cref="JsonNumberText"/>, exact at any size), strings by their unescaped text. Each
/// difference is reported at its path; locations an ignore path names are skipped with their
/// subtree. Below <see cref="MaxDepth"/> levels, values are compared as raw text.
/// </summary>
internal sealed class JsonBodyDiff
{
    public const int MaxDepth = 64;

    private readonly CompareOptions _options;
    private readonly DifferenceCollector _collector;
    private readonly List<JsonPathStep> _steps = [];

    private JsonBodyDiff(CompareOptions options, DifferenceCollector collector)
    {
        _options = options;
        _collector = collector;
    }

    /// <param name="allNoise">Every difference is noise (the noise pass found the whole body different).</param>
    public static void Run(JsonElement primary, JsonElement other, CompareOptions options, DifferenceCollector collector, bool allNoise = false)
        => new JsonBodyDiff(options, collector).Diff(primary, other, underNoise: allNoise, redacted: false);

    private ReadOnlySpan<JsonPathStep> Steps => CollectionsMarshal.AsSpan(_steps);

    private void Diff(JsonElement a, JsonElement b, bool underNoise, bool redacted)
    {
        // The same bytes are the same value, whatever lies below: most of two answers usually is,
        // and skipping it spares the member tables and the value strings.
        if (JsonMarshal.GetRawUtf8Value(a).SequenceEqual(JsonMarshal.GetRawUtf8Value(b)))
        {
            return;
        }

        if (!_options.IgnoreJsonPaths.IsEmpty && _options.IgnoreJsonPaths.Matches(Steps))
        {
            return;
        }

        redacted = redacted || (!_options.RedactJsonPaths.IsEmpty && _options.RedactJsonPaths.Matches(Steps));
        if (!underNoise && _collector.NoiseHasJson)
        {
            underNoise = _collector.IsNoiseLocation(JsonPathSet.Format(Steps));
        }

        var kindA = Kind(a.ValueKind);
        var kindB = Kind(b.ValueKind);
        if (kindA != kindB)
        {
            Report(a, b, underNoise, redacted);
            return;
        }

        if (_steps.Count >= MaxDepth && kindA is JsonValueKind.Object or JsonValueKind.Array)
        {
            if (!string.Equals(a.GetRawText(), b.GetRawText(), StringComparison.Ordinal))
            {
                Report(a, b, underNoise, redacted, $"compared as text below depth {MaxDepth}");
            }

            return;
        }

        switch (kindA)
        {
            case JsonValueKind.Object:
                DiffObjects(a, b, underNoise, redacted);
                break;
            case JsonValueKind.Array:
                DiffArrays(a, b, underNoise, redacted);
                break;
            case JsonValueKind.Number:
                if (!JsonNumberText.ValueEquals(a.GetRawText(), b.GetRawText()))
                {
                    Report(a, b, underNoise, redacted);
                }

                break;
            case JsonValueKind.String:
                if (!string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal))
                {
                    Report(a, b, underNoise, redacted);
                }

                break;
            case JsonValueKind.True:
                if (a.ValueKind != b.ValueKind)
                {
                    Report(a, b, underNoise, redacted);
                }

                break;
        }
    }

    private void DiffObjects(JsonElement a, JsonElement b, bool underNoise, bool redacted)
    {
        var membersA = Members(a);
        var membersB = Members(b);
        foreach (var (name, valueA) in membersA)
        {
            _steps.Add(JsonPathStep.Member(name));
            if (membersB.TryGetValue(name, out var valueB))
            {
                Diff(valueA, valueB, underNoise, redacted);
            }
            else
            {
                ReportOneSided(valueA, primarySide: true, underNoise, redacted);
            }

            _steps.RemoveAt(_steps.Count - 1);
        }

        foreach (var (name, valueB) in membersB)
        {
            if (!membersA.ContainsKey(name))
            {
                _steps.Add(JsonPathStep.Member(name));
                ReportOneSided(valueB, primarySide: false, underNoise, redacted);
                _steps.RemoveAt(_steps.Count - 1);
            }
        }
    }

    private void DiffArrays(JsonElement a, JsonElement b, bool underNoise, bool redacted)
    {
        var lengthA = a.GetArrayLength();
        var lengthB = b.GetArrayLength();
        var length = Math.Max(lengthA, lengthB);
        for (var i = 0; i < length; i++)
        {
            _steps.Add(JsonPathStep.Element(i));
            if (i < lengthA && i < lengthB)
            {
                Diff(a[i], b[i], underNoise, redacted);
            }
            else
            {
                ReportOneSided(i < lengthA ? a[i] : b[i], primarySide: i < lengthA, underNoise, redacted);
            }

            _steps.RemoveAt(_steps.Count - 1);
        }
    }

    private static Dictionary<string, JsonElement> Members(JsonElement value)
    {
        var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            members[property.Name] = property.Value;
        }

        return members;
    }

    private void ReportOneSided(JsonElement value, bool primarySide, bool underNoise, bool redacted)
    {
        // A member or element only one side has: skipped when ignored, noise when the noise pass saw it too.
        if (!_options.IgnoreJsonPaths.IsEmpty && _options.IgnoreJsonPaths.Matches(Steps))
        {
            return;
        }

        redacted = redacted || (!_options.RedactJsonPaths.IsEmpty && _options.RedactJsonPaths.Matches(Steps));
        var location = JsonPathSet.Format(Steps);
        underNoise = underNoise || _collector.IsNoiseLocation(location);
        var text = JsonValueText.Write(value, _steps, _options.RedactJsonPaths, redacted);
        _collector.Add(
            new CompareDifference(DifferenceKind.Json, location, primarySide ? text : null, primarySide ? null : text,
                primarySide ? "absent from the candidate" : "absent from the primary"),
            underNoise);
    }

    private void Report(JsonElement a, JsonElement b, bool underNoise, bool redacted, string? detail = null)
    {
        _collector.Add(
            new CompareDifference(
                DifferenceKind.Json,
                JsonPathSet.Format(Steps),
                JsonValueText.Write(a, _steps, _options.RedactJsonPaths, redacted),
                JsonValueText.Write(b, _steps, _options.RedactJsonPaths, redacted),
                detail),
            underNoise);
    }

    // true and false are one kind whose values differ; every other kind stands for itself.
    private static JsonValueKind Kind(JsonValueKind kind) => kind == JsonValueKind.False ? JsonValueKind.True : kind;
}

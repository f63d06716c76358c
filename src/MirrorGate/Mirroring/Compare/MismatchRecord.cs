using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// One mismatch as the Admin API shows it and the <c>compare_log</c> file keeps it (one JSON object
/// a line). The shape is stable, snake_case:
/// <code>
/// {"time":"2026-11-27T10:00:00.000Z","route_id":"1","target":"v2",
///  "request":{"method":"GET","path":"/items?page=2"},
///  "primary_status":200,"candidate_status":200,"noise_status":null,
///  "body_comparison":"json","difference_count":1,"noise_count":0,
///  "differences":[{"kind":"json","location":"$.items[2].price","primary":"1.5","candidate":"2","detail":null}]}
/// </code>
/// Values are redacted before they get here (see <see cref="ResponseComparer"/>): headers named
/// in <c>redact_headers</c> and JSON locations named in <c>redact_json_paths</c> read <c>"[redacted]"</c>.
/// </summary>
internal sealed record MismatchRecord
{
    /// <summary>Characters of the request's path and query kept (2 KiB); longer ones are cut and end with <c>...</c>.</summary>
    public const int MaxPathChars = 2048;

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>UTC, serialized as ISO 8601 with milliseconds and <c>Z</c>.</summary>
    [JsonConverter(typeof(UtcTimeConverter))]
    public required DateTimeOffset Time { get; init; }

    public required string RouteId { get; init; }

    public required string Target { get; init; }

    public required MismatchRequest Request { get; init; }

    public required int PrimaryStatus { get; init; }

    public required int CandidateStatus { get; init; }

    public int? NoiseStatus { get; init; }

    /// <summary><c>json</c>, <c>bytes</c> or <c>bytes_prefix</c>.</summary>
    public required string BodyComparison { get; init; }

    /// <summary>Every real difference found, also those beyond the recorded ones.</summary>
    public required int DifferenceCount { get; init; }

    public required int NoiseCount { get; init; }

    public required IReadOnlyList<CompareDifference> Differences { get; init; }

    /// <param name="pathAndQuery">The copy's path and query as sent to the mirror.</param>
    public static MismatchRecord Create(
        DateTimeOffset time, string routeId, string target, string method, string pathAndQuery,
        CapturedResponse primary, CapturedResponse candidate, CapturedResponse? noise, CompareOutcome outcome)
        => new()
        {
            Time = time.ToUniversalTime(),
            RouteId = routeId,
            Target = target,
            Request = new MismatchRequest(method, pathAndQuery.Length <= MaxPathChars ? pathAndQuery : string.Concat(pathAndQuery.AsSpan(0, MaxPathChars - 3), "...")),
            PrimaryStatus = primary.Status,
            CandidateStatus = candidate.Status,
            NoiseStatus = noise?.Status,
            BodyComparison = outcome.BodyComparison,
            DifferenceCount = outcome.DifferenceCount,
            NoiseCount = outcome.NoiseCount,
            Differences = outcome.Differences,
        };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => DateTimeOffset.Parse(reader.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
            => writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>The compared request: its method and path with query as the copy carried them.</summary>
internal sealed record MismatchRequest(string Method, string Path);

using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// One mirror target's <c>compare</c> block, typed and with its defaults applied. Header lists
/// hold the defaults (<see cref="CompareHeaderDefaults"/>) plus the block's own names; JSON paths
/// are compiled once here.
/// </summary>
internal sealed class CompareOptions
{
    public const int DefaultBodyBytes = 65536;
    public const int MaxBodyBytes = 1048576;
    public const int DefaultKeepMismatches = 20;
    public const int MaxKeepMismatches = 1000;
    public const int MaxListItems = 100;

    private const string Prefix = "property \"compare\" validation failed: ";

    // RFC 9110 §5.6.2 tchar: what a header field name is made of.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "body_bytes", "ignore_headers", "ignore_json_paths", "noise_host", "keep_mismatches", "redact_headers", "redact_json_paths",
    };

    /// <summary>Every default applied, nothing added: what <c>"compare": {}</c> means.</summary>
    public static readonly CompareOptions Default = FromJson(new JsonObject());

    private CompareOptions()
    {
    }

    /// <summary>Body bytes kept of each answer and compared (65536; 0 compares status and headers only, plus body lengths).</summary>
    public int BodyBytes { get; private init; } = DefaultBodyBytes;

    /// <summary>Header names skipped (case-insensitive): the defaults plus <c>ignore_headers</c>.</summary>
    public IReadOnlySet<string> IgnoreHeaders { get; private init; } = null!;

    public JsonPathSet IgnoreJsonPaths { get; private init; } = JsonPathSet.Empty;

    /// <summary>The noise target (same version as the primary), or null when noise is not cancelled.</summary>
    public string? NoiseHost { get; private init; }

    /// <summary>Mismatches kept per route and target (20; 0 keeps none, only counts).</summary>
    public int KeepMismatches { get; private init; } = DefaultKeepMismatches;

    /// <summary>Header names whose values records show as <c>"[redacted]"</c>: the defaults plus <c>redact_headers</c>.</summary>
    public IReadOnlySet<string> RedactHeaders { get; private init; } = null!;

    public JsonPathSet RedactJsonPaths { get; private init; } = JsonPathSet.Empty;

    public bool IsIgnoredHeader(string name)
        => IgnoreHeaders.Contains(name) || name.StartsWith(CompareHeaderDefaults.IgnoredPrefix, StringComparison.OrdinalIgnoreCase);

    public bool IsRedactedHeader(string name) => RedactHeaders.Contains(name);

    /// <summary>
    /// Reads a compare block that <see cref="Check"/> accepted.
    /// </summary>
    /// <param name="markerHeader">The node's mirror marker when renamed (<c>plugin_attr.proxy-mirror.marker_header</c>): ignored too.</param>
    /// <exception cref="ArgumentException">The block is one <see cref="Check"/> refuses.</exception>
    public static CompareOptions FromJson(JsonObject compare, string? markerHeader = null)
    {
        if (Check(compare) is { } problem)
        {
            throw new ArgumentException(problem, nameof(compare));
        }

        var ignore = new HashSet<string>(CompareHeaderDefaults.Ignored, StringComparer.OrdinalIgnoreCase);
        ignore.UnionWith(Strings(compare["ignore_headers"]));
        if (!string.IsNullOrEmpty(markerHeader))
        {
            ignore.Add(markerHeader);
        }

        var redact = new HashSet<string>(CompareHeaderDefaults.Redacted, StringComparer.OrdinalIgnoreCase);
        redact.UnionWith(Strings(compare["redact_headers"]));

        return new CompareOptions
        {
            BodyBytes = compare["body_bytes"] is JsonValue bytes && TryNumber(bytes, out var b) ? (int)b : DefaultBodyBytes,
            IgnoreHeaders = ignore,
            IgnoreJsonPaths = Paths(compare["ignore_json_paths"]),
            NoiseHost = compare["noise_host"]?.GetValue<string>(),
            KeepMismatches = compare["keep_mismatches"] is JsonValue keep && TryNumber(keep, out var k) ? (int)k : DefaultKeepMismatches,
            RedactHeaders = redact,
            RedactJsonPaths = Paths(compare["redact_json_paths"]),
        };
    }

    /// <summary>
    /// Checks a compare block fully (the plugin's save-time check calls it after the schema), so
    /// that what is accepted always compiles: every key, range, header name and JSON path. Returns
    /// null when it is good, else an APISIX-style message starting <c>property "compare" validation failed:</c>.
    /// </summary>
    public static string? Check(JsonObject compare)
    {
        foreach (var (key, _) in compare)
        {
            if (!Known.Contains(key))
            {
                return $"{Prefix}additional properties forbidden, found {key}";
            }
        }

        return CheckInteger(compare, "body_bytes", 0, MaxBodyBytes)
            ?? CheckInteger(compare, "keep_mismatches", 0, MaxKeepMismatches)
            ?? CheckHeaders(compare, "ignore_headers")
            ?? CheckHeaders(compare, "redact_headers")
            ?? CheckPaths(compare, "ignore_json_paths")
            ?? CheckPaths(compare, "redact_json_paths")
            ?? CheckNoiseHost(compare);
    }

    private static string? CheckInteger(JsonObject compare, string name, long min, long max)
    {
        if (!compare.TryGetPropertyValue(name, out var node))
        {
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !TryNumber(value, out var number))
        {
            return $"{Prefix}property \"{name}\" validation failed: wrong type: expected integer, got {Kind(node)}";
        }

        if (number != Math.Floor(number))
        {
            return $"{Prefix}property \"{name}\" validation failed: wrong type: expected integer, got number";
        }

        if (number < min)
        {
            return $"{Prefix}property \"{name}\" validation failed: expected {node.ToJsonString()} to be at least {min}";
        }

        if (number > max)
        {
            return $"{Prefix}property \"{name}\" validation failed: expected {node.ToJsonString()} to be at most {max}";
        }

        return null;
    }

    private static string? CheckList(JsonObject compare, string name, out JsonArray? list)
    {
        list = null;
        if (!compare.TryGetPropertyValue(name, out var node))
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            return $"{Prefix}property \"{name}\" validation failed: wrong type: expected array, got {Kind(node)}";
        }

        if (array.Count > MaxListItems)
        {
            return $"{Prefix}property \"{name}\" validation failed: expect array to have at most {MaxListItems} items";
        }

        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is not JsonValue item || item.GetValueKind() != JsonValueKind.String)
            {
                return $"{Prefix}property \"{name}\" validation failed: failed to validate item {i + 1}: wrong type: expected string, got {Kind(array[i])}";
            }
        }

        list = array;
        return null;
    }

    private static string? CheckHeaders(JsonObject compare, string name)
    {
        if (CheckList(compare, name, out var list) is { } problem)
        {
            return problem;
        }

        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var header = list![i]!.GetValue<string>();
            if (header.Length == 0 || header.AsSpan().ContainsAnyExcept(TokenChars))
            {
                return $"{Prefix}{name}[{i}] \"{header}\" is not a header name: expected letters, digits and !#$%&'*+-.^_`|~ only";
            }
        }

        return null;
    }

    private static string? CheckPaths(JsonObject compare, string name)
    {
        if (CheckList(compare, name, out var list) is { } problem)
        {
            return problem;
        }

        for (var i = 0; i < (list?.Count ?? 0); i++)
        {
            var text = list![i]!.GetValue<string>();
            if (!JsonPath.TryParse(text, out _, out var why))
            {
                return $"{Prefix}{name}[{i}] \"{text}\" is not a JSON path: {why}";
            }
        }

        return null;
    }

    private static string? CheckNoiseHost(JsonObject compare)
    {
        if (!compare.TryGetPropertyValue("noise_host", out var node))
        {
            return null;
        }

        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            return $"{Prefix}property \"noise_host\" validation failed: wrong type: expected string, got {Kind(node)}";
        }

        var host = value.GetValue<string>();
        if (!MirrorOrigin.TryParse(host, out var origin, out var why))
        {
            return $"{Prefix}property \"noise_host\" validation failed: \"{host}\": {why}";
        }

        if (origin!.IsGrpc)
        {
            return $"{Prefix}property \"noise_host\" validation failed: \"{host}\": answers of grpc and grpcs mirrors are not compared";
        }

        return null;
    }

    // Whatever backs the value (parsed JSON, or an int or long put in by code), read as its JSON text.
    private static bool TryNumber(JsonValue value, out double number)
        => double.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out number);

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static IEnumerable<string> Strings(JsonNode? node)
        => node is JsonArray array ? array.Select(n => n!.GetValue<string>()) : [];

    private static JsonPathSet Paths(JsonNode? node)
    {
        var paths = Strings(node).Select(JsonPath.Parse).ToArray();
        return paths.Length == 0 ? JsonPathSet.Empty : new JsonPathSet(paths);
    }
}

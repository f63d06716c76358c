using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Configuration;

/// <summary>
/// Reads one mapping of <c>config.yaml</c> with typed getters that fail with the key's full path,
/// and remembers which keys were read so the rest can be reported as unknown.
/// </summary>
internal sealed class ConfigSection
{
    private static readonly JsonSerializerOptions DescribeOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly JsonObject _node;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);
    private readonly ConfigReadContext _context;

    public ConfigSection(JsonObject node, string path, ConfigReadContext context)
    {
        _node = node;
        Path = path;
        _context = context;
    }

    /// <summary>The dotted path of this mapping; empty for the top level.</summary>
    public string Path { get; }

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Marks <paramref name="key"/> as known and returns its value; <paramref name="present"/> tells absent from null.</summary>
    public JsonNode? Raw(string key, out bool present)
    {
        _read.Add(key);
        _context.Known.Add(ApisixKeys.Normalize(KeyPath(key)));
        present = _node.TryGetPropertyValue(key, out var value);
        return value;
    }

    /// <summary>A nested mapping; absent or null gives an empty one, so its defaults apply.</summary>
    public ConfigSection Section(string key)
    {
        var value = Raw(key, out _);
        return value switch
        {
            null => new ConfigSection([], KeyPath(key), _context),
            JsonObject obj => new ConfigSection(obj, KeyPath(key), _context),
            _ => throw Invalid(KeyPath(key), "expected a mapping", value),
        };
    }

    public bool Bool(string key, bool fallback)
    {
        var value = Raw(key, out _);
        return value switch
        {
            null => fallback,
            JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
            _ => throw Invalid(KeyPath(key), "expected true or false", value),
        };
    }

    public int Int(string key, int fallback, int min, int max)
    {
        var value = Raw(key, out _);
        return value is null ? fallback : ToInt(value, KeyPath(key), min, max, _context);
    }

    /// <summary>A string value; numbers and booleans are rejected rather than guessed at (quote them).</summary>
    public string? String(string key, string? fallback)
    {
        var value = Raw(key, out _);
        return value is null ? fallback : ToString(value, KeyPath(key), _context);
    }

    /// <summary>
    /// Reports every key of this mapping that no getter asked for: APISIX's keys that MirrorGate
    /// does not use (<see cref="ApisixKeys"/>) as warnings, any other as an unknown key, which
    /// fails the load when <see cref="ConfigReadContext.ThrowIfUnknownKeys"/> runs at its end.
    /// </summary>
    public void CheckUnknownKeys()
    {
        foreach (var (key, _) in _node)
        {
            if (!_read.Contains(key))
            {
                _context.ReportUnread(KeyPath(key));
            }
        }
    }

    /// <summary>The former name of <see cref="CheckUnknownKeys"/>, kept so callers written before it still build.</summary>
    public void WarnUnknownKeys() => CheckUnknownKeys();

    public ConfigException Invalid(string keyPath, string problem, JsonNode? got) => Invalid(_context, keyPath, problem, got);

    public static ConfigException Invalid(ConfigReadContext context, string keyPath, string problem, JsonNode? got) =>
        new(context.SourceName, keyPath, $"{problem}, got {Describe(got)}");

    public static int ToInt(JsonNode value, string keyPath, int min, int max, ConfigReadContext context)
    {
        // Parsed from the JSON text: a JsonValue only converts to the CLR type it was built from.
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            && number >= min && number <= max)
        {
            return (int)number;
        }

        var range = max == int.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"expected an integer of at least {min}")
            : string.Create(CultureInfo.InvariantCulture, $"expected an integer between {min} and {max}");
        throw Invalid(context, keyPath, range, value);
    }

    public static string ToString(JsonNode value, string keyPath, ConfigReadContext context) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            ? v.GetValue<string>()
            : throw Invalid(context, keyPath, "expected a string (quote it if it looks like a number)", value);

    /// <summary>A literal IPv4 or IPv6 address (brackets allowed), normalized.</summary>
    public static string ToIp(JsonNode value, string keyPath, ConfigReadContext context)
    {
        var text = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>().Trim() : null;
        if (text is { Length: > 2 } && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
        }

        return text is not null && IPAddress.TryParse(text, out var address) && address.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? address.ToString()
            : throw Invalid(context, keyPath, "expected an IP address such as 127.0.0.1 or ::1", value);
    }

    /// <summary>The value as the user would recognize it: strings quoted, mappings and lists named.</summary>
    public static string Describe(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "a mapping",
        JsonArray => "a list",
        _ => value.ToJsonString(DescribeOptions),
    };
}

/// <summary>What the whole read shares: the file's name for messages, the warnings so far, the keys read and the unknown ones.</summary>
internal sealed class ConfigReadContext(string sourceName)
{
    public string SourceName { get; } = sourceName;

    public List<string> Warnings { get; } = [];

    /// <summary>Every key path a getter asked for (list positions as <c>[]</c>): the candidates for "did you mean".</summary>
    public HashSet<string> Known { get; } = new(StringComparer.Ordinal);

    /// <summary>Keys neither MirrorGate nor APISIX has, in the order found.</summary>
    public List<string> Unknown { get; } = [];

    public void ReportUnread(string keyPath)
    {
        if (ApisixKeys.Covers(keyPath))
        {
            Warnings.Add($"APISIX key '{keyPath}' in {SourceName} is not used by MirrorGate, ignored");
        }
        else
        {
            Unknown.Add(keyPath);
        }
    }

    /// <summary>Called once everything was read: unknown keys stop the load, each named with the closest known key.</summary>
    /// <exception cref="ConfigException">At least one key is unknown.</exception>
    public void ThrowIfUnknownKeys()
    {
        if (Unknown.Count == 0)
        {
            return;
        }

        var described = Unknown.Select(k => $"'{k}'{KeySuggestions.DidYouMean(k, Known)}");
        var problem = Unknown.Count == 1
            ? $"unknown key{KeySuggestions.DidYouMean(Unknown[0], Known)} (neither MirrorGate nor APISIX has it; see docs/configuration.md)"
            : $"unknown keys {string.Join(", ", described)} (neither MirrorGate nor APISIX has them; see docs/configuration.md)";
        throw new ConfigException(SourceName, Unknown[0], problem);
    }
}

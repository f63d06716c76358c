using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// A JSON Schema (draft 4/6/7 subset) validator that answers with the exact text of
/// api7/jsonschema, the validator APISIX uses: clients and APISIX's own tests match on those
/// messages, so the wording, the order of the checks and Lua's view of the data are part of
/// the contract.
/// </summary>
/// <remarks>
/// Lua's view of the data: an empty object and an empty array are the same empty table (each
/// passes both <c>object</c> and <c>array</c>), JSON null is a value of type <c>userdata</c>, and
/// numbers are doubles. Where api7 walks a Lua hash (properties, patternProperties) the order is
/// unspecified; we use the order of the schema and of the document, which is deterministic.
/// Defaults are not injected: the Admin API stores what the client sent.
/// </remarks>
internal static class JsonSchemaValidator
{
    /// <summary>Null when <paramref name="value"/> is valid, else api7/jsonschema's message.</summary>
    public static string? Validate(JsonNode schema, JsonNode? value) => Check(schema, value);

    private static string? Check(JsonNode? schema, JsonNode? value)
    {
        if (schema is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return b.GetValueKind() == JsonValueKind.True ? null : "expect false always";
        }

        if (schema is not JsonObject s) return null;

        return CheckType(s, value)
            ?? CheckObject(s, value, out var done)
            ?? (done ? null : CheckRest(s, value));
    }

    // Everything after the object keywords; split out because `items: true|false` ends validation early.
    private static string? CheckRest(JsonObject s, JsonNode? value)
    {
        var arrayResult = CheckArray(s, value, out var done);
        if (arrayResult is not null || done) return arrayResult;

        return CheckString(s, value)
            ?? CheckNumber(s, value)
            ?? CheckEnum(s, value)
            ?? CheckCombinators(s, value)
            ?? CheckFormat(s, value)
            ?? CheckConst(s, value);
    }

    private static bool IsTable(JsonNode? v) => v is JsonObject or JsonArray;

    // api7's tablekind: objects and the empty table count as "object", arrays and the empty table as "array".
    private static bool IsObjectLike(JsonNode? v) => v is JsonObject || v is JsonArray { Count: 0 };

    private static bool IsArrayLike(JsonNode? v) => v is JsonArray || v is JsonObject { Count: 0 };

    private static string? CheckType(JsonObject s, JsonNode? value)
    {
        if (!s.TryGetPropertyValue("type", out var type) || type is null) return null;

        if (JsonNodes.TryString(type, out var single))
        {
            return HasType(single, value) ? null : $"wrong type: expected {single}, got {LuaText.TypeName(value)}";
        }

        if (type is JsonArray types)
        {
            var names = types.Select(t => JsonNodes.TryString(t, out var n) ? n : "").ToList();
            return names.Any(n => HasType(n, value))
                ? null
                : $"wrong type: expected one of {string.Join(", ", names)}, got {LuaText.TypeName(value)}";
        }

        return null;
    }

    private static bool HasType(string jsonType, JsonNode? value) => jsonType switch
    {
        "object" => IsObjectLike(value),
        "array" => IsArrayLike(value),
        "table" => IsTable(value),
        "integer" => JsonNodes.TryNumber(value, out var d) && d % 1.0 == 0.0,
        "number" => JsonNodes.TryNumber(value, out _),
        "string" => JsonNodes.TryString(value, out _),
        "boolean" => value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "null" => value is null,
        _ => false,
    };

    private static bool HasAny(JsonObject s, params string[] keys) => keys.Any(s.ContainsKey);

    private static string? CheckObject(JsonObject s, JsonNode? value, out bool done)
    {
        done = false;
        if (!HasAny(s, "properties", "additionalProperties", "patternProperties", "minProperties", "maxProperties", "dependencies", "required"))
        {
            return null;
        }

        var requiredNode = s["required"] as JsonArray;
        if (IsObjectLike(value))
        {
            var error = CheckObjectMembers(s, value as JsonObject ?? [], requiredNode);
            if (error is not null) return error;
        }

        // api7: `required: []` means "the input data should be an empty table".
        if (requiredNode is { Count: 0 } && !JsonNodes.IsEmptyTable(value))
        {
            return "the input data should be an empty table";
        }

        return null;
    }

    private static string? CheckObjectMembers(JsonObject s, JsonObject obj, JsonArray? requiredNode)
    {
        var required = new List<string>();
        foreach (var r in requiredNode ?? [])
        {
            if (JsonNodes.TryString(r, out var name)) required.Add(name);
        }

        var properties = s["properties"] as JsonObject;
        var dependencies = s["dependencies"] as JsonObject;

        foreach (var (prop, propSchema) in properties ?? [])
        {
            if (obj.TryGetPropertyValue(prop, out var propValue))
            {
                var error = Check(propSchema, propValue);
                if (error is not null) return $"property \"{prop}\" validation failed: {error}";

                if (dependencies is not null && dependencies.TryGetPropertyValue(prop, out var dep))
                {
                    error = CheckDependency(obj, prop, dep);
                    if (error is not null) return error;
                }
            }
            else if (required.Remove(prop))
            {
                return $"property \"{prop}\" is required";
            }
        }

        foreach (var prop in required)
        {
            if (!obj.ContainsKey(prop)) return $"property \"{prop}\" is required";
        }

        foreach (var (prop, dep) in dependencies ?? [])
        {
            if (properties?.ContainsKey(prop) == true || !obj.ContainsKey(prop)) continue;
            var error = CheckDependency(obj, prop, dep);
            if (error is not null) return error;
        }

        return CheckAdditional(s, obj, properties) ?? CheckPropertyCount(s, obj);
    }

    private static string? CheckDependency(JsonObject obj, string prop, JsonNode? dep)
    {
        // A non-empty list names required siblings; anything else (including {}) is a schema.
        if (dep is JsonArray { Count: > 0 } names)
        {
            foreach (var n in names)
            {
                if (JsonNodes.TryString(n, out var name) && !obj.ContainsKey(name))
                {
                    return $"property \"{name}\" is required when \"{prop}\" is set";
                }
            }

            return null;
        }

        var error = Check(dep, obj);
        return error is null ? null : $"failed to validate dependent schema for \"{prop}\": {error}";
    }

    private static string? CheckAdditional(JsonObject s, JsonObject obj, JsonObject? properties)
    {
        var patterns = s["patternProperties"] as JsonObject;
        s.TryGetPropertyValue("additionalProperties", out var additional);
        var restricted = s.ContainsKey("additionalProperties") && !(additional is JsonValue t && t.GetValueKind() == JsonValueKind.True);
        if (patterns is null && !restricted) return null;

        foreach (var (prop, propValue) in obj)
        {
            var matched = false;
            foreach (var (pattern, patternSchema) in patterns ?? [])
            {
                if (!SchemaPatterns.IsMatch(pattern, prop)) continue;
                var error = Check(patternSchema, propValue);
                if (error is not null) return $"failed to validate {prop} (matching \"{pattern}\"): {error}";
                matched = true;
            }

            if (!restricted || matched || properties?.ContainsKey(prop) == true) continue;

            if (additional is JsonObject additionalSchema)
            {
                var error = Check(additionalSchema, propValue);
                if (error is not null) return $"failed to validate additional property {prop}: {error}";
            }
            else
            {
                return $"additional properties forbidden, found {prop}";
            }
        }

        return null;
    }

    private static string? CheckPropertyCount(JsonObject s, JsonObject obj)
    {
        if (JsonNodes.TryNumber(s["minProperties"], out var min) && obj.Count < min)
        {
            return $"expect object to have at least {LuaText.Number(min)} properties";
        }

        if (JsonNodes.TryNumber(s["maxProperties"], out var max) && obj.Count > max)
        {
            return $"expect object to have at most {LuaText.Number(max)} properties";
        }

        return null;
    }

    private static string? CheckArray(JsonObject s, JsonNode? value, out bool done)
    {
        done = false;
        if (!HasAny(s, "items", "minItems", "maxItems", "uniqueItems")) return null;

        s.TryGetPropertyValue("items", out var items);
        if (items is JsonValue flag && flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            // api7 returns straight away here, skipping every later keyword.
            done = true;
            if (flag.GetValueKind() == JsonValueKind.True) return null;
            return JsonNodes.IsEmptyTable(value) ? null : "expect false always";
        }

        if (!IsArrayLike(value)) return null;
        var arr = value as JsonArray ?? [];

        if (JsonNodes.TryNumber(s["minItems"], out var min) && arr.Count < min)
        {
            return $"expect array to have at least {LuaText.Number(min)} items";
        }

        if (JsonNodes.TryNumber(s["maxItems"], out var max) && arr.Count > max)
        {
            return $"expect array to have at most {LuaText.Number(max)} items";
        }

        var itemsError = items switch
        {
            JsonArray { Count: > 0 } tuple => CheckTuple(s, tuple, arr),
            JsonObject itemSchema => CheckEachItem(itemSchema, arr),
            _ => null,
        };
        if (itemsError is not null) return itemsError;

        return JsonNodes.IsTrue(s["uniqueItems"]) ? CheckUnique(arr) : null;
    }

    private static string? CheckTuple(JsonObject s, JsonArray tuple, JsonArray arr)
    {
        for (var i = 0; i < tuple.Count; i++)
        {
            if (i >= arr.Count) return null;
            var error = Check(tuple[i], arr[i]);
            if (error is not null) return $"failed to validate item {i + 1}: {error}";
        }

        var additional = s["additionalItems"];
        if (additional is JsonValue v && v.GetValueKind() == JsonValueKind.False)
        {
            return arr.Count > tuple.Count ? "found unexpected extra items in array" : null;
        }

        if (additional is JsonObject additionalSchema)
        {
            for (var i = tuple.Count; i < arr.Count; i++)
            {
                var error = Check(additionalSchema, arr[i]);
                if (error is not null) return $"failed to validate additional item {i + 1}: {error}";
            }
        }

        return null;
    }

    private static string? CheckEachItem(JsonObject itemSchema, JsonArray arr)
    {
        for (var i = 0; i < arr.Count; i++)
        {
            var error = Check(itemSchema, arr[i]);
            if (error is not null) return $"failed to validate item {i + 1}: {error}";
        }

        return null;
    }

    // api7 finds scalar duplicates in one pass first (the first item equal to an earlier one),
    // then compares table items pairwise (the first table equal to a later one). Both are found
    // here by hashing each item's Lua equality key, so a long list costs linear time, not
    // quadratic (20,000 uris took minutes), with the same pair reported.
    private static string? CheckUnique(JsonArray arr)
    {
        var firstScalar = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, (int First, int Second)>? tables = null;
        for (var i = 0; i < arr.Count; i++)
        {
            var key = JsonNodes.LuaEqualityKey(arr[i]);
            if (IsTable(arr[i]))
            {
                tables ??= new Dictionary<string, (int, int)>(StringComparer.Ordinal);
                tables[key] = tables.TryGetValue(key, out var seen) ? (seen.First, seen.Second < 0 ? i : seen.Second) : (i, -1);
            }
            else if (!firstScalar.TryAdd(key, i))
            {
                return Duplicate(firstScalar[key], i);
            }
        }

        (int First, int Second) earliest = (-1, -1);
        foreach (var pair in tables?.Values ?? Enumerable.Empty<(int First, int Second)>())
        {
            if (pair.Second >= 0 && (earliest.First < 0 || pair.First < earliest.First)) earliest = pair;
        }

        return earliest.First < 0 ? null : Duplicate(earliest.First, earliest.Second);

        static string Duplicate(int first, int second) =>
            $"expected unique items but items {first + 1} and {second + 1} are equal";
    }

    private static string? CheckString(JsonObject s, JsonNode? value)
    {
        if (!JsonNodes.TryString(value, out var str)) return null;

        // api7 counts UTF-8 characters, not bytes or UTF-16 units.
        int Length() => str.EnumerateRunes().Count();

        if (JsonNodes.TryNumber(s["minLength"], out var min) && Length() < min)
        {
            return $"string too short, expected at least {(long)min}, got {Length()}";
        }

        if (JsonNodes.TryNumber(s["maxLength"], out var max) && Length() > max)
        {
            return $"string too long, expected at most {(long)max}, got {Length()}";
        }

        if (JsonNodes.TryString(s["pattern"], out var pattern) && !SchemaPatterns.IsMatch(pattern, str))
        {
            // Both sides are %q-quoted and never unescaped again: backslashes come out doubled.
            return $"failed to match pattern {LuaText.Quote(pattern)} with {LuaText.Quote(str)}";
        }

        return null;
    }

    private static string? CheckNumber(JsonObject s, JsonNode? value)
    {
        if (!JsonNodes.TryNumber(value, out var n)) return null;

        if (JsonNodes.TryNumber(s["minimum"], out var min) && n < min) return Range(n, "at least", min);
        if (JsonNodes.TryNumber(s["exclusiveMinimum"], out var xmin) && n <= xmin) return Range(n, "greater than", xmin);
        if (JsonNodes.TryNumber(s["maximum"], out var max) && n > max) return Range(n, "at most", max);
        if (JsonNodes.TryNumber(s["exclusiveMaximum"], out var xmax) && n >= xmax) return Range(n, "smaller than", xmax);

        if (JsonNodes.TryNumber(s["multipleOf"], out var mof) && !IsMultiple(n, mof))
        {
            return $"expected {LuaText.Number(n)} to be a multiple of {LuaText.Number(mof)}";
        }

        return null;

        static string Range(double n, string word, double bound) =>
            $"expected {LuaText.Number(n)} to be {word} {LuaText.Number(bound)}";
    }

    private static bool IsMultiple(double n, double mof)
    {
        if (Math.Truncate(mof) == mof) return n % mof == 0;
        // A relative tolerance, as api7 uses, so 1.13 is a multiple of 0.01.
        var quotient = n / mof;
        var rounded = Math.Floor(quotient + 0.5);
        var tolerance = 1e-12 * (rounded == 0 ? 1 : Math.Abs(rounded));
        return Math.Abs(quotient - rounded) <= tolerance;
    }

    private static string? CheckEnum(JsonObject s, JsonNode? value)
    {
        if (s["enum"] is not JsonArray options) return null;
        return options.Any(o => JsonNodes.LuaEquals(o, value)) ? null : "matches none of the enum values";
    }

    private static string? CheckCombinators(JsonObject s, JsonNode? value)
    {
        if (s["allOf"] is JsonArray allOf)
        {
            for (var i = 0; i < allOf.Count; i++)
            {
                var error = Check(allOf[i], value);
                if (error is not null) return $"allOf {i + 1} failed: {error}";
            }
        }

        if (s["anyOf"] is JsonArray anyOf && !anyOf.Any(sub => Check(sub, value) is null))
        {
            return "object matches none of the required" + RequiredLists(anyOf);
        }

        if (s["oneOf"] is JsonArray oneOf)
        {
            int? matched = null;
            for (var i = 0; i < oneOf.Count; i++)
            {
                if (Check(oneOf[i], value) is not null) continue;
                if (matched is { } first)
                {
                    return $"value should match only one schema, but matches both schemas {first} and {i + 1}";
                }

                matched = i + 1;
            }

            if (matched is null) return "value should match only one schema, but matches none";
        }

        if (s["if"] is { } condition)
        {
            var holds = Check(condition, value) is null;
            if (holds && s["then"] is { } then && Check(then, value) is not null) return "then clause did not match";
            if (!holds && s["else"] is { } otherwise && Check(otherwise, value) is not null) return "else clause did not match";
        }

        if (s["not"] is { } negated && Check(negated, value) is null)
        {
            return "value wasn't supposed to match schema";
        }

        return null;
    }

    // api7 lists the `required` arrays of the anyOf branches, JSON-encoded, joined by " or ".
    private static string RequiredLists(JsonArray anyOf)
    {
        var lists = anyOf.OfType<JsonObject>()
            .Select(sub => sub["required"])
            .OfType<JsonArray>()
            .Select(EncodeNames)
            .ToList();
        return lists.Count == 0 ? "" : ": " + string.Join(" or ", lists);

        static string EncodeNames(JsonArray names)
        {
            if (names.Count == 0) return "{}"; // cjson encodes an empty table as an object
            var sb = new StringBuilder("[");
            for (var i = 0; i < names.Count; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append(LuaText.CjsonScalar(names[i]));
            }

            return sb.Append(']').ToString();
        }
    }

    private static string? CheckFormat(JsonObject s, JsonNode? value)
    {
        if (!JsonNodes.TryString(s["format"], out var format) || !JsonNodes.TryString(value, out var str)) return null;

        bool? valid = format switch
        {
            "ipv4" => IpText.IsIPv4(str),
            "ipv6" => IpText.IsIPv6(str),
            "hostname" => SchemaPatterns.IsMatch(@"^[a-zA-Z0-9\-\.]+$", str),
            "uuid" => SchemaPatterns.IsMatch("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", str),
            "uri" => SchemaPatterns.IsMatch(@"^[a-zA-Z][a-zA-Z0-9+\-.]*:[^\s]*$", str),
            "email" => SchemaPatterns.IsMatch(@"^([A-Za-z0-9_\-\.])+\@([A-Za-z0-9_\-\.])+\.([A-Za-z]{2,4})$", str),
            _ => null, // api7 ignores formats it does not know
        };
        return valid == false ? $"expect valid {format} format but got: {str}" : null;
    }

    private static string? CheckConst(JsonObject s, JsonNode? value)
    {
        if (!s.TryGetPropertyValue("const", out var expected)) return null;
        return JsonNodes.LuaEquals(expected, value) ? null : "failed to check const value";
    }
}

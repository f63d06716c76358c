using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// Reads decoded JSON the way Lua sees it after cjson: numbers are doubles, null is a value
/// (not "absent"), and an empty object and an empty array are the same empty table.
/// </summary>
internal static class JsonNodes
{
    public static bool TryNumber(JsonNode? node, out double value)
    {
        value = 0;
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return false;
        if (v.TryGetValue(out value)) return true;
        // Values built in code (e.g. JsonValue.Create(5)) may not convert directly.
        return double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryString(JsonNode? node, out string value)
    {
        value = "";
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return false;
        if (v.TryGetValue<string>(out var s)) { value = s; return true; }
        value = v.GetValue<JsonElement>().GetString() ?? "";
        return true;
    }

    public static bool IsTrue(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    /// <summary>Lua truthiness of a property: present and not <c>false</c> (cjson null is truthy).</summary>
    public static bool IsTruthy(JsonObject obj, string name) =>
        obj.TryGetPropertyValue(name, out var node) && !(node is JsonValue v && v.GetValueKind() == JsonValueKind.False);

    public static bool IsEmptyTable(JsonNode? node) => node is JsonObject { Count: 0 } or JsonArray { Count: 0 };

    /// <summary>
    /// A text that is the same for two values exactly when <see cref="LuaEquals"/> holds for them,
    /// so equal values can be found with a hash set instead of comparing every pair.
    /// </summary>
    public static string LuaEqualityKey(JsonNode? node)
    {
        var key = new StringBuilder();
        AppendKey(key, node);
        return key.ToString();
    }

    private static void AppendKey(StringBuilder key, JsonNode? node)
    {
        switch (node)
        {
            case null:
                key.Append('z');
                break;
            case JsonObject { Count: 0 } or JsonArray { Count: 0 }:
                key.Append("{}");
                break;
            case JsonArray array:
                key.Append('[');
                foreach (var item in array)
                {
                    AppendKey(key, item);
                    key.Append(',');
                }

                key.Append(']');
                break;
            case JsonObject obj:
                // Members in ordinal key order: Lua tables have no order.
                key.Append('{');
                foreach (var (name, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    AppendString(key, name);
                    AppendKey(key, value);
                    key.Append(',');
                }

                key.Append('}');
                break;
            default:
                if (TryNumber(node, out var number))
                {
                    // -0 == 0 in Lua; the bits tell every other pair of doubles apart.
                    key.Append('n').Append(BitConverter.DoubleToInt64Bits(number == 0 ? 0 : number).ToString("x", CultureInfo.InvariantCulture));
                }
                else if (TryString(node, out var text))
                {
                    AppendString(key, text);
                }
                else
                {
                    key.Append(node.GetValueKind() == JsonValueKind.True ? 't' : 'f');
                }

                break;
        }
    }

    // Length-prefixed, so no string can pass for the end of another.
    private static void AppendString(StringBuilder key, string text) =>
        key.Append('s').Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(text);

    /// <summary>Lua table equality as api7's deepeq sees it (empty object == empty array, 1 == 1.0).</summary>
    public static bool LuaEquals(JsonNode? a, JsonNode? b)
    {
        if (a is null || b is null) return a is null && b is null;
        if (IsEmptyTable(a) && IsEmptyTable(b)) return true;
        switch (a)
        {
            case JsonArray aa when b is JsonArray ba:
                if (aa.Count != ba.Count) return false;
                for (var i = 0; i < aa.Count; i++)
                {
                    if (!LuaEquals(aa[i], ba[i])) return false;
                }

                return true;
            case JsonObject ao when b is JsonObject bo:
                if (ao.Count != bo.Count) return false;
                foreach (var (key, value) in ao)
                {
                    if (!bo.TryGetPropertyValue(key, out var other) || !LuaEquals(value, other)) return false;
                }

                return true;
            case JsonObject or JsonArray:
                return false;
        }

        if (b is JsonObject or JsonArray) return false;
        if (TryNumber(a, out var da)) return TryNumber(b, out var db) && da == db;
        if (TryString(a, out var sa)) return TryString(b, out var sb) && sa == sb;
        return a.GetValueKind() == b.GetValueKind();
    }
}

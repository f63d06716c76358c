using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Routing;

/// <summary>How Lua would print a JSON value in lua-resty-expr's messages and string coercions.</summary>
internal static class VarsText
{
    /// <summary>Integers without a fraction (Lua prints 123, not 123.0); others in the shortest round-trip form.</summary>
    public static string FormatNumber(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A string as is, a number as Lua prints it, anything else as its JSON text.</summary>
    public static string? ToText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => FormatNumber(v.GetValue<double>()),
        _ => node.ToJsonString(),
    };

    public static bool IsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;
}

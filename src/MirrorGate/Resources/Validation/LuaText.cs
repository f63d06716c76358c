using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// How APISIX (LuaJIT + lua-cjson) turns values into text. APISIX pins its error messages in
/// tests and users match on them, so we reproduce the Lua spellings instead of .NET's.
/// </summary>
internal static class LuaText
{
    /// <summary>LuaJIT's <c>tostring(number)</c>, i.e. C's <c>%.14g</c>: 10, 0.5, 1e-05, 1e+15.</summary>
    public static string Number(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        if (d == 0) return double.IsNegative(d) ? "-0" : "0";

        // %g picks the style from the exponent of the value rounded to 14 significant digits.
        var sci = d.ToString("E13", CultureInfo.InvariantCulture);
        var ePos = sci.IndexOf('E');
        var exp = int.Parse(sci.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (exp < -4 || exp >= 14)
        {
            var mantissa = TrimFraction(sci[..ePos]);
            return mantissa + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }

        return TrimFraction(d.ToString("F" + (13 - exp).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
    }

    private static string TrimFraction(string s)
    {
        if (!s.Contains('.')) return s;
        s = s.TrimEnd('0');
        return s.EndsWith('.') ? s[..^1] : s;
    }

    /// <summary>
    /// LuaJIT's <c>string.format("%q", s)</c>: quotes, doubles backslashes, escapes quotes,
    /// writes a newline as backslash + newline and other control characters as <c>\ddd</c>.
    /// </summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '"' or '\\' or '\n')
            {
                sb.Append('\\').Append(c);
            }
            else if (c < 32 || c == 127)
            {
                // LuaJIT writes the shortest decimal form unless a digit follows (then three digits).
                var nextIsDigit = i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]);
                sb.Append('\\').Append(nextIsDigit ? ((int)c).ToString("000", CultureInfo.InvariantCulture) : ((int)c).ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Lua's <c>type()</c> of a decoded JSON value; cjson's null is a lightuserdata.</summary>
    public static string TypeName(JsonNode? node) => node switch
    {
        null => "userdata",
        JsonObject or JsonArray => "table",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "userdata",
        },
    };

    /// <summary>The text Lua's <c>..</c> operator produces for a string or number (ids in messages).</summary>
    public static string Concat(JsonNode node) =>
        JsonNodes.TryNumber(node, out var d) ? Number(d)
        : JsonNodes.TryString(node, out var s) ? s
        : node.ToJsonString();

    /// <summary>lua-cjson's encoding of a scalar as APISIX configures it (forward slashes not escaped).</summary>
    public static string CjsonScalar(JsonNode? node)
    {
        if (node is null) return "null";
        if (JsonNodes.TryNumber(node, out var d)) return Number(d);
        if (JsonNodes.TryString(node, out var s)) return CjsonString(s);
        return node.GetValueKind() switch
        {
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => node.ToJsonString(),
        };
    }

    private static string CjsonString(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 32 || c == 127) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}

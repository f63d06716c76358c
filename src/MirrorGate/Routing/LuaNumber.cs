using System.Globalization;

namespace MirrorGate.Routing;

/// <summary>
/// Lua's <c>tonumber</c> for strings, which lua-resty-expr applies before numeric comparisons: surrounding
/// whitespace allowed, decimal with exponent, or hexadecimal with <c>0x</c>. Anything else is "not a number".
/// </summary>
internal static class LuaNumber
{
    public static bool TryParse(ReadOnlySpan<char> text, out double value)
    {
        value = 0;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        var negative = text[0] == '-';
        var digits = text[0] is '-' or '+' ? text[1..] : text;
        if (digits.Length > 2 && digits[0] == '0' && (digits[1] | 0x20) == 'x')
        {
            if (!ulong.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
            {
                return false;
            }

            value = negative ? -(double)hex : hex;
            return true;
        }

        // Reject words .NET would accept ("Infinity", "NaN") but Lua does not.
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c) && c is not ('.' or 'e' or 'E' or '+' or '-'))
            {
                return false;
            }
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }
}

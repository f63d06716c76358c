using System.Globalization;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Compares JSON numbers by their exact decimal value, whatever their size: <c>1.0</c> equals
/// <c>1</c> and <c>1e2</c> equals <c>100</c>, while two 30-digit integers that a double would
/// round to the same value stay different.
/// </summary>
internal static class JsonNumberText
{
    public static bool ValueEquals(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return true;
        }

        return TryNormalize(a, out var na) && TryNormalize(b, out var nb) && na == nb;
    }

    /// <summary>
    /// Brings a JSON number to sign, significant digits (no leading or trailing zeros) and the
    /// power of ten of the last digit: one spelling per value. False when the text is not a JSON
    /// number or its exponent is beyond any sensible size (then only identical texts are equal).
    /// </summary>
    internal static bool TryNormalize(string text, out (bool Negative, string Digits, long Exponent) value)
    {
        value = default;
        var i = 0;
        var negative = false;
        if (i < text.Length && text[i] == '-')
        {
            negative = true;
            i++;
        }

        var digits = new System.Text.StringBuilder();
        var intStart = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            digits.Append(text[i++]);
        }

        if (i == intStart)
        {
            return false;
        }

        long exponent = 0;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            var fracStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                digits.Append(text[i++]);
            }

            if (i == fracStart)
            {
                return false;
            }

            exponent -= i - fracStart;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            var expNegative = false;
            if (i < text.Length && text[i] is '+' or '-')
            {
                expNegative = text[i] == '-';
                i++;
            }

            var expStart = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == expStart || i - expStart > 15
                || !long.TryParse(text.AsSpan(expStart, i - expStart), NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                return false;
            }

            exponent += expNegative ? -e : e;
        }

        if (i != text.Length)
        {
            return false;
        }

        var all = digits.ToString();
        var significant = all.TrimStart('0');
        if (significant.Length == 0)
        {
            // Zero, however spelled (-0, 0.00, 0e5), is one value.
            value = (false, "0", 0);
            return true;
        }

        var trimmed = significant.TrimEnd('0');
        exponent += significant.Length - trimmed.Length;
        value = (negative, trimmed, exponent);
        return true;
    }
}

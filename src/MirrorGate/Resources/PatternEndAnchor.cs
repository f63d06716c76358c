using System.Text;

namespace MirrorGate.Resources;

/// <summary>
/// Makes a configured regex's <c>$</c> mean the true end of the input. In .NET (and in PCRE
/// without DOLLAR_ENDONLY) <c>$</c> also matches before a final <c>\n</c>, so <c>^[a-z]+$</c>
/// accepts <c>"evil\n"</c>: a host, path or key that then reaches a protocol line. Rewriting
/// each end anchor to <c>\z</c> keeps the pattern's text (schemas are served as APISIX wrote
/// them) and changes only what the compiled regex accepts.
/// </summary>
internal static class PatternEndAnchor
{
    /// <summary>
    /// The pattern with every unescaped <c>$</c> outside a character class turned into <c>\z</c>.
    /// A pattern that switches on multi-line mode inline (<c>(?m)</c>) is returned unchanged:
    /// its author asked for <c>$</c> to mean "end of line".
    /// </summary>
    public static string ToTrueEnd(string pattern)
    {
        if (!pattern.Contains('$', StringComparison.Ordinal) || SetsMultiline(pattern))
        {
            return pattern;
        }

        var result = new StringBuilder(pattern.Length + 4);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                result.Append(c).Append(pattern[++i]);
                continue;
            }

            if (inClass)
            {
                inClass = c != ']';
                result.Append(c);
                continue;
            }

            if (c == '[')
            {
                inClass = true;
                result.Append(c);
                // A ']' right after '[' or '[^' is a literal, not the end of the class.
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                {
                    result.Append(pattern[++i]);
                }

                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                {
                    result.Append(pattern[++i]);
                }

                continue;
            }

            result.Append(c == '$' ? @"\z" : c);
        }

        return result.ToString();
    }

    // "(?m)", "(?im)", "(?m:...)": an inline option group whose "on" letters include m.
    private static bool SetsMultiline(string pattern)
    {
        for (var i = pattern.IndexOf("(?", StringComparison.Ordinal); i >= 0; i = pattern.IndexOf("(?", i + 2, StringComparison.Ordinal))
        {
            if (i > 0 && pattern[i - 1] == '\\')
            {
                continue;
            }

            for (var j = i + 2; j < pattern.Length && char.IsAsciiLetter(pattern[j]); j++)
            {
                if (pattern[j] == 'm')
                {
                    return true;
                }
            }
        }

        return false;
    }
}

using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// Compiles the PCRE patterns that APISIX schemas carry into .NET regexes, once per pattern.
/// </summary>
/// <remarks>
/// APISIX matches with <c>ngx.re.find(s, p, "jo")</c>: PCRE without UTF/UCP, so <c>\d</c>,
/// <c>\w</c> and <c>\s</c> are ASCII-only. ECMAScript mode gives .NET the same classes; patterns
/// that ECMAScript mode refuses (e.g. <c>\p{..}</c>) fall back to the default engine.
/// Like PCRE's find, a pattern matches anywhere unless it is anchored. Unlike APISIX, a final
/// <c>$</c> means the true end of the value (<see cref="PatternEndAnchor"/>): <c>"127.0.0.1\n"</c>
/// is not a host.
/// </remarks>
internal static class SchemaPatterns
{
    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    public static bool IsMatch(string pattern, string input) => Cache.GetOrAdd(pattern, Compile).IsMatch(input);

    private static Regex Compile(string pattern)
    {
        var anchored = PatternEndAnchor.ToTrueEnd(pattern);
        // .NET reads "-[" inside a class as class subtraction; PCRE reads a literal '['.
        var pcreLiteralBracket = anchored.Replace("-[", "-\\[", StringComparison.Ordinal);
        foreach (var candidate in new[] { anchored, pcreLiteralBracket })
        {
            try
            {
                return new Regex(candidate, RegexOptions.ECMAScript | RegexOptions.Compiled);
            }
            catch (ArgumentException)
            {
            }
        }

        return new Regex(pcreLiteralBracket, RegexOptions.CultureInvariant | RegexOptions.Compiled);
    }
}

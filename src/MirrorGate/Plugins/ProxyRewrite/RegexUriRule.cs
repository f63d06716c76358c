using System.Text;
using System.Text.RegularExpressions;

namespace MirrorGate.Plugins.ProxyRewrite;

/// <summary>
/// One pair of proxy-rewrite's <c>regex_uri</c>: a PCRE-style pattern and an nginx
/// <c>ngx.re.sub</c> replacement, where <c>$N</c> and <c>${N}</c> insert a capture and <c>$$</c> a
/// dollar. .NET's own replacement language (<c>$&amp;</c>, <c>$`</c>, named groups) is not used:
/// <c>/$`1</c> is refused as nginx refuses it.
/// </summary>
internal sealed class RegexUriRule
{
    // A bound on one match, so a pathological pattern cannot hold a request thread.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private readonly (string? Literal, int Group)[] _replacement;

    private RegexUriRule(Regex pattern, (string? Literal, int Group)[] replacement)
    {
        Pattern = pattern;
        _replacement = replacement;
    }

    public Regex Pattern { get; }

    /// <summary>Null with the rule, or the error (the text after APISIX's <c>invalid regex_uri(pattern, replacement): </c>).</summary>
    public static RegexUriRule? TryCreate(string pattern, string replacement, out string? error)
    {
        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return null;
        }

        var parts = new List<(string?, int)>();
        var literal = new StringBuilder();
        for (var i = 0; i < replacement.Length; i++)
        {
            if (replacement[i] != '$')
            {
                literal.Append(replacement[i]);
                continue;
            }

            var next = i + 1 < replacement.Length ? replacement[i + 1] : '\0';
            if (next == '$')
            {
                literal.Append('$');
                i++;
                continue;
            }

            var braced = next == '{';
            var start = braced ? i + 2 : i + 1;
            var end = start;
            while (end < replacement.Length && char.IsAsciiDigit(replacement[end]))
            {
                end++;
            }

            if (end == start || (braced && (end >= replacement.Length || replacement[end] != '}')) || end - start > 4)
            {
                error = $"invalid capturing variable name found in \"{replacement}\"";
                return null;
            }

            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), -1));
                literal.Clear();
            }

            parts.Add((null, int.Parse(replacement.AsSpan(start, end - start), System.Globalization.CultureInfo.InvariantCulture)));
            i = braced ? end : end - 1;
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), -1));
        }

        error = null;
        return new RegexUriRule(regex, [.. parts]);
    }

    /// <summary>The uri with the first match replaced (<c>ngx.re.sub</c>, not <c>gsub</c>).</summary>
    public string Substitute(string uri, Match match)
    {
        var text = new StringBuilder(uri.Length + 16);
        text.Append(uri, 0, match.Index);
        foreach (var (literal, group) in _replacement)
        {
            if (literal is not null)
            {
                text.Append(literal);
            }
            else if (group < match.Groups.Count && match.Groups[group].Success)
            {
                text.Append(match.Groups[group].Value);
            }
        }

        text.Append(uri, match.Index + match.Length, uri.Length - match.Index - match.Length);
        return text.ToString();
    }
}

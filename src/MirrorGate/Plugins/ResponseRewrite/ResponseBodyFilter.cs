using System.Text.RegularExpressions;

namespace MirrorGate.Plugins.ResponseRewrite;

/// <summary>
/// One entry of <c>filters</c>: a regex substitution on the whole response body, the first match
/// (<c>scope: once</c>, ngx.re.sub) or every match (<c>global</c>, ngx.re.gsub). PCRE's option
/// letters map to .NET's; <c>j</c>, <c>o</c>, <c>u</c> and <c>D</c> only tune PCRE and are ignored.
/// </summary>
internal sealed class ResponseBodyFilter
{
    private readonly Regex _regex;
    private readonly string _replace;
    private readonly bool _global;

    private ResponseBodyFilter(Regex regex, string replace, bool global)
    {
        _regex = regex;
        _replace = replace;
        _global = global;
    }

    /// <summary>Compiles a filter, or returns null and the reason (APISIX's text follows it in CheckConfig).</summary>
    public static ResponseBodyFilter? TryCreate(string pattern, string replace, string scope, string options, out string? error)
    {
        var regexOptions = RegexOptions.CultureInvariant;
        foreach (var letter in options)
        {
            switch (letter)
            {
                case 'i': regexOptions |= RegexOptions.IgnoreCase; break;
                case 'm': regexOptions |= RegexOptions.Multiline; break;
                case 's': regexOptions |= RegexOptions.Singleline; break;
                case 'x': regexOptions |= RegexOptions.IgnorePatternWhitespace; break;
                case 'j' or 'o' or 'u' or 'U' or 'D' or 'J': break;
                case 'a': pattern = @"\G(?:" + pattern + ")"; break;
                default:
                    error = $"unknown flag \"{letter}\" (flags \"{options}\")";
                    return null;
            }
        }

        try
        {
            error = null;
            return new ResponseBodyFilter(new Regex(pattern, regexOptions, TimeSpan.FromSeconds(1)), replace, scope == "global");
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The body after this filter; a body it does not match comes back unchanged.</summary>
    public string Apply(string body) => _global ? _regex.Replace(body, _replace) : _regex.Replace(body, _replace, 1);
}

using System.Text;
using System.Text.RegularExpressions;

namespace MirrorGate.Routing;

/// <summary>
/// One route <c>uri</c> compiled the way lua-resty-radixtree reads it: no <c>*</c> means exact; otherwise the
/// text before the first <c>*</c> is a literal prefix. A trailing <c>*</c> is a plain prefix; a <c>*</c> earlier
/// in the path whose segment starts with <c>*</c> (<c>/a/*/b</c>) adds a whole-path glob check, as the radixtree
/// does with its parameter pattern. <c>:name</c> is not special: APISIX builds its routers with
/// <c>no_param_match</c>.
/// </summary>
internal sealed class UriPattern
{
    private UriPattern(string original, string literal, bool isPrefix, Regex? glob)
    {
        Original = original;
        Literal = literal;
        IsPrefix = isPrefix;
        Glob = glob;
    }

    /// <summary>The uri as configured; its length breaks priority ties (longer first), as in APISIX.</summary>
    public string Original { get; }

    /// <summary>The exact path, or the prefix (text before the first <c>*</c>).</summary>
    public string Literal { get; }

    public bool IsPrefix { get; }

    /// <summary>Whole-path check for a <c>*</c> segment in the middle; null for the common cases.</summary>
    public Regex? Glob { get; }

    public static UriPattern Parse(string uri)
    {
        var star = uri.IndexOf('*');
        if (star < 0)
        {
            return new UriPattern(uri, uri, isPrefix: false, glob: null);
        }

        var literal = uri[..star];
        return new UriPattern(uri, literal, isPrefix: true, star == uri.Length - 1 ? null : BuildGlob(uri));
    }

    /// <summary>True when the path satisfies the glob (always true without one).</summary>
    public bool MatchesGlob(string path)
    {
        if (Glob is null)
        {
            return true;
        }

        try
        {
            return Glob.IsMatch(path);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological path must not stall the request; treat it as "this candidate does not match".
            return false;
        }
    }

    private static Regex? BuildGlob(string uri)
    {
        // Segments starting with '*' match anything (slashes included); other segments are literal.
        // A segment like "bar*x" is not a wildcard segment, so like the radixtree we do no extra check then.
        var segments = uri.Split('/');
        var hasWildcardSegment = false;
        var pattern = new StringBuilder("^");
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                pattern.Append('/');
            }

            if (segments[i].StartsWith('*'))
            {
                hasWildcardSegment = true;
                pattern.Append("(?s:.*)");
            }
            else
            {
                pattern.Append(Regex.Escape(segments[i]));
            }
        }

        // \z, not $: "$" would also match before a final newline.
        pattern.Append(@"\z");
        return hasWildcardSegment
            ? new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100))
            : null;
    }
}

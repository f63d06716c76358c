using System.Text.RegularExpressions;

namespace MirrorGate.Plugins.Cors;

/// <summary>
/// One origin list of cors compiled (<c>allow_origins</c> or <c>timing_allow_origins</c>, or
/// their <c>*_by_regex</c> form): which value, if any, answers a request's Origin. APISIX's
/// <c>process_with_allow_origins</c>, <c>process_with_allow_origins_by_regex</c> and
/// <c>match_origins</c> in one place.
/// </summary>
internal sealed class CorsOriginRule
{
    private readonly string? _single;
    private readonly HashSet<string>? _list;
    private readonly Regex? _regex;
    private readonly bool _forceWildcard;

    private CorsOriginRule(string? single, HashSet<string>? list, Regex? regex, bool forceWildcard)
    {
        _single = single;
        _list = list;
        _regex = regex;
        _forceWildcard = forceWildcard;
    }

    /// <summary>The rule for a comma-separated origins value: <c>*</c>, <c>**</c>, <c>null</c>, one origin or several.</summary>
    public static CorsOriginRule FromList(string origins)
    {
        if (origins == "**")
        {
            return new CorsOriginRule(null, null, null, forceWildcard: true);
        }

        // As APISIX: only a value with a comma is a set; a single origin is echoed as configured.
        return origins.Contains(',')
            ? new CorsOriginRule(null, new HashSet<string>(origins.Split(',', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal), null, false)
            : new CorsOriginRule(origins, null, null, false);
    }

    /// <summary>The rule for regexes; APISIX joins them with <c>|</c> and searches the Origin (unanchored).</summary>
    public static CorsOriginRule FromRegexes(IEnumerable<string> patterns)
        => new(null, null, new Regex(string.Join('|', patterns), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)), false);

    /// <summary>
    /// The value for the answer's allow-origin header, or null when the request's Origin is not
    /// allowed. A configured single origin or <c>*</c> passes only when the Origin equals it or it
    /// is <c>*</c> (APISIX's <c>match_origins</c>).
    /// </summary>
    public string? Allowed(string? requestOrigin)
    {
        string? allowed;
        if (_forceWildcard)
        {
            allowed = requestOrigin ?? "*";
        }
        else if (_list is not null)
        {
            allowed = requestOrigin is not null && _list.Contains(requestOrigin) ? requestOrigin : null;
        }
        else if (_regex is not null)
        {
            allowed = requestOrigin is not null && Matches(requestOrigin) ? requestOrigin : null;
        }
        else
        {
            allowed = _single;
        }

        return allowed is not null && (allowed == "*" || allowed == requestOrigin) ? allowed : null;
    }

    private bool Matches(string origin)
    {
        try
        {
            return _regex!.IsMatch(origin);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological pattern must not hold the request; an origin it cannot decide is not allowed.
            return false;
        }
    }
}

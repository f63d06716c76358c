using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.Limiting;

/// <summary>
/// The key a limit-* plugin counts by, as APISIX reads <c>key</c> with <c>key_type</c>:
/// <c>var</c> is one variable's value, <c>var_combination</c> a text with <c>$var</c>/<c>${var}</c>
/// references (APISIX's <c>core.utils.resolve_var</c>), <c>constant</c> the text itself. When a
/// var is absent, or a combination resolved none of its references, APISIX counts by the client
/// address instead, so a missing header cannot make every client share one bucket silently.
/// </summary>
internal sealed partial class LimitKey
{
    private static readonly Func<HttpContext, string?> RemoteAddress = Variable("remote_addr");

    private readonly string _constant;
    private readonly Func<HttpContext, string?>? _variable;
    private readonly Part[]? _combination;

    private LimitKey(string constant, Func<HttpContext, string?>? variable, Part[]? combination)
    {
        _constant = constant;
        _variable = variable;
        _combination = combination;
    }

    private readonly record struct Part(string? Literal, Func<HttpContext, string?>? Variable);

    /// <param name="key">The config's <c>key</c>.</param>
    /// <param name="keyType"><c>var</c>, <c>var_combination</c> or <c>constant</c>.</param>
    public static LimitKey Compile(string key, string keyType) => keyType switch
    {
        "constant" => new LimitKey(key, null, null),
        "var_combination" => new LimitKey(key, null, ParseCombination(key)),
        _ => new LimitKey(key, Variable(key), null),
    };

    public string Resolve(HttpContext http)
    {
        if (_variable is not null)
        {
            return _variable(http) ?? RemoteAddress(http) ?? "";
        }

        if (_combination is null)
        {
            return _constant;
        }

        var text = new StringBuilder();
        var resolved = 0;
        foreach (var part in _combination)
        {
            if (part.Literal is not null)
            {
                text.Append(part.Literal);
                continue;
            }

            var value = part.Variable!(http);
            if (value is not null)
            {
                resolved++;
                text.Append(value);
            }
        }

        return resolved == 0 ? RemoteAddress(http) ?? "" : text.ToString();
    }

    /// <summary>A variable's reader; adds <c>server_addr</c> (APISIX's limit tests count by it), which the routing variables lack.</summary>
    private static Func<HttpContext, string?> Variable(string name)
    {
        if (name == "server_addr")
        {
            return static http => http.Connection.LocalIpAddress is { } local
                ? (local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local).ToString()
                : null;
        }

        return VarsVariable.Parse(name).GetValue;
    }

    private static Part[] ParseCombination(string key)
    {
        var parts = new List<Part>();
        var at = 0;
        foreach (Match match in Reference().Matches(key))
        {
            if (match.Index > at)
            {
                parts.Add(new Part(key[at..match.Index], null));
            }

            parts.Add(new Part(null, Variable(match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value)));
            at = match.Index + match.Length;
        }

        if (at < key.Length)
        {
            parts.Add(new Part(key[at..], null));
        }

        return [.. parts];
    }

    // APISIX's resolve_var pattern: $name or ${name}, names of word characters and dots.
    [GeneratedRegex(@"\$\{([\w.]+)\}|\$([\w.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();
}

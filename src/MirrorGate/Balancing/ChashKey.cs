using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Balancing;

/// <summary>
/// The request key of <c>type: chash</c>, from <c>hash_on</c> and <c>key</c>: a variable
/// (<c>vars</c>), a header, a cookie, a template of variables (<c>vars_combinations</c>, e.g.
/// <c>$remote_addr$uri</c>) or the consumer. When the key is missing APISIX hashes
/// <c>remote_addr</c> instead; so do we (<c>consumer</c> without an attached consumer too).
/// </summary>
internal sealed class ChashKey
{
    // Each part is a literal (Variable null) or a variable; a single-variable key is one part.
    private readonly (string? Literal, RequestVariable? Variable)[] _parts;

    private ChashKey((string? Literal, RequestVariable? Variable)[] parts) => _parts = parts;

    public static ChashKey From(JsonObject upstream)
    {
        var key = upstream["key"]?.GetValue<string>() ?? "";
        return (upstream["hash_on"]?.GetValue<string>() ?? "vars") switch
        {
            "header" => new([(null, RequestVariable.Header(key))]),
            "cookie" => new([(null, RequestVariable.Cookie(key))]),
            "vars_combinations" => new(ParseTemplate(key)),
            "consumer" => new([(null, RequestVariable.Parse("consumer_name"))]),
            _ => new([(null, RequestVariable.Parse(key))]),
        };
    }

    public uint Hash(HttpContext context)
    {
        var hash = default(StableHash);
        var resolved = 0;
        foreach (var (literal, variable) in _parts)
        {
            if (variable is null)
            {
                hash.Append(literal);
            }
            else if (variable.TryAppend(context, ref hash))
            {
                resolved++;
            }
        }

        // APISIX: a key with no resolved variable is nil, and nil falls back to remote_addr.
        if (resolved == 0)
        {
            hash = default;
            RequestVariable.RemoteAddress.TryAppend(context, ref hash);
        }

        return hash.Finish();
    }

    /// <summary>
    /// APISIX's <c>resolve_var</c> template: <c>$name</c> (word characters and dots),
    /// <c>${name}</c>, and <c>\$</c> for a literal dollar; everything else is literal text.
    /// </summary>
    internal static (string? Literal, RequestVariable? Variable)[] ParseTemplate(string template)
    {
        var parts = new List<(string?, RequestVariable?)>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '\\' && i + 1 < template.Length && template[i + 1] == '$')
            {
                literal.Append('$');
                i += 2;
                continue;
            }

            string? name = null;
            if (c == '$' && i + 1 < template.Length && template[i + 1] == '{')
            {
                var close = template.IndexOf('}', i + 2);
                if (close > 0)
                {
                    name = template[(i + 2)..close];
                    i = close + 1;
                }
            }
            else if (c == '$')
            {
                var end = i + 1;
                while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] is '_' or '.'))
                {
                    end++;
                }

                if (end > i + 1)
                {
                    name = template[(i + 1)..end];
                    i = end;
                }
            }

            if (name is null)
            {
                literal.Append(c);
                i++;
                continue;
            }

            if (literal.Length > 0)
            {
                parts.Add((literal.ToString(), null));
                literal.Clear();
            }

            parts.Add((null, RequestVariable.Parse(name)));
        }

        if (literal.Length > 0)
        {
            parts.Add((literal.ToString(), null));
        }

        return parts.ToArray();
    }
}

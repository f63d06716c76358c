using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace MirrorGate.Plugins.ProxyRewrite;

/// <summary>
/// proxy-rewrite's <c>headers</c>, compiled: <c>add</c> appends, then <c>set</c> replaces, then
/// <c>remove</c> deletes, on the request as it goes upstream (and so to a mirror, which copies the
/// request's headers when the copy starts). The old flat form (<c>{"X-Api": "v2"}</c>) means
/// <c>set</c>. A value may be a list (one header line per element). Values resolve APISIX
/// variables and regex_uri captures; a set value that resolves empty removes the header, as
/// nginx's <c>ngx.req.set_header</c> does.
/// </summary>
internal sealed class RequestHeaderEdits
{
    private readonly (string Name, ValueTemplate[] Values)[] _add;
    private readonly (string Name, ValueTemplate[] Values)[] _set;
    private readonly string[] _remove;

    private RequestHeaderEdits((string, ValueTemplate[])[] add, (string, ValueTemplate[])[] set, string[] remove)
    {
        _add = add;
        _set = set;
        _remove = remove;
    }

    /// <summary>Whether <paramref name="headers"/> is the add/set/remove form (APISIX's <c>is_new_headers_conf</c>).</summary>
    public static bool IsOperationForm(JsonObject headers)
        => headers["add"] is JsonObject || headers["set"] is JsonObject || headers["remove"] is JsonArray;

    public static RequestHeaderEdits Compile(JsonObject headers)
    {
        if (!IsOperationForm(headers))
        {
            return new RequestHeaderEdits([], Entries(headers), []);
        }

        return new RequestHeaderEdits(
            headers["add"] is JsonObject add ? Entries(add) : [],
            headers["set"] is JsonObject set ? Entries(set) : [],
            headers["remove"] is JsonArray remove ? remove.Select(n => n!.GetValue<string>()).ToArray() : []);
    }

    private static (string, ValueTemplate[])[] Entries(JsonObject values)
        => values.Select(p => (p.Key, Values(p.Value).Select(v => ValueTemplate.Compile(v, captures: true)).ToArray())).ToArray();

    /// <summary>A header value as text: strings as they are, numbers as Lua's tostring prints them; a list gives each element.</summary>
    public static IEnumerable<string> Values(JsonNode? value) => value switch
    {
        JsonArray list => list.SelectMany(Values),
        JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String => [scalar.GetValue<string>()],
        JsonValue number => [number.ToJsonString()],
        _ => [],
    };

    public void Apply(HttpContext http, Match? captures)
    {
        var headers = http.Request.Headers;
        foreach (var (name, values) in _add)
        {
            var added = headers[name];
            foreach (var value in values)
            {
                if (Sendable(value.Render(http, captures)) is { } text)
                {
                    added = StringValues.Concat(added, text);
                }
            }

            headers[name] = added;
        }

        foreach (var (name, values) in _set)
        {
            var set = StringValues.Empty;
            foreach (var value in values)
            {
                if (Sendable(value.Render(http, captures)) is { Length: > 0 } text)
                {
                    set = StringValues.Concat(set, text);
                }
            }

            if (set.Count == 0)
            {
                headers.Remove(name);
            }
            else
            {
                headers[name] = set;
            }
        }

        foreach (var name in _remove)
        {
            headers.Remove(name);
        }
    }

    // A value read from the request (a decoded query argument) may carry CR or LF, which no
    // header line can: such a value is left out rather than failing the upstream request.
    private static string? Sendable(string value) => value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0 ? null : value;
}

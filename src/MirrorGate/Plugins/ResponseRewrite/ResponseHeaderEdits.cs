using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MirrorGate.Plugins.ProxyRewrite;

namespace MirrorGate.Plugins.ResponseRewrite;

/// <summary>
/// response-rewrite's <c>headers</c>: <c>add</c> ("Name: value" lines), <c>set</c> and <c>remove</c>,
/// or the old flat object, which means <c>set</c>. Values may hold APISIX variables
/// (<c>$remote_addr</c>), resolved per request as APISIX's <c>resolve_var</c> does. Applied in
/// APISIX's order: add, then set, then remove.
/// </summary>
internal sealed partial class ResponseHeaderEdits(
    (string Name, ValueTemplate Value)[] add, (string Name, ValueTemplate Value)[] set, string[] remove)
{
    // APISIX's create_header_operation splits an add line with this pattern.
    [GeneratedRegex(@"^([^:\s]+)\s*:\s*([^:]+)$")]
    private static partial Regex AddLine();

    /// <summary>APISIX's is_new_headers_conf: any of add/set/remove holding a table.</summary>
    public static bool IsOperationForm(JsonObject headers)
        => headers["add"] is JsonArray or JsonObject || headers["set"] is JsonArray or JsonObject || headers["remove"] is JsonArray or JsonObject;

    /// <summary>The add line's name and value, or null when it does not split (APISIX then logs and skips all edits).</summary>
    public static (string Name, string Value)? SplitAddLine(string line)
        => AddLine().Match(line) is { Success: true } m ? (m.Groups[1].Value, m.Groups[2].Value) : null;

    public static ResponseHeaderEdits? Compile(JsonObject headers)
    {
        if (!IsOperationForm(headers))
        {
            return new ResponseHeaderEdits([], Entries(headers), []);
        }

        var add = new List<(string, ValueTemplate)>();
        if (headers["add"] is JsonArray lines)
        {
            foreach (var line in lines)
            {
                // As APISIX: one line that does not split disables the route's header edits.
                if (SplitAddLine(line!.GetValue<string>()) is not { } pair)
                {
                    return null;
                }

                add.Add((pair.Name, ValueTemplate.Compile(pair.Value, captures: false)));
            }
        }

        return new ResponseHeaderEdits(
            [.. add],
            headers["set"] is JsonObject set ? Entries(set) : [],
            headers["remove"] is JsonArray removed ? removed.Select(n => n!.GetValue<string>()).ToArray() : []);
    }

    public void Apply(HttpContext http)
    {
        var headers = http.Response.Headers;
        foreach (var (name, value) in add)
        {
            headers.Append(name, value.Render(http));
        }

        foreach (var (name, value) in set)
        {
            headers[name] = value.Render(http);
        }

        foreach (var name in remove)
        {
            headers.Remove(name);
        }
    }

    // Numbers are allowed as values; they are written as JSON spells them (APISIX's tostring).
    private static (string, ValueTemplate)[] Entries(JsonObject values) => values
        .Select(p => (p.Key, ValueTemplate.Compile(
            p.Value!.GetValueKind() == JsonValueKind.String ? p.Value.GetValue<string>() : p.Value.ToJsonString(), captures: false)))
        .ToArray();
}

using System.Text.Json.Nodes;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.ProxyRewrite;

/// <summary>
/// APISIX's <c>proxy-rewrite</c>: rewrites the upstream URI (<c>uri</c> or <c>regex_uri</c>), Host,
/// request headers and method. Priority 1008, as APISIX: after proxy-mirror (1010) unless
/// <c>_meta.priority</c> reorders them.
/// </summary>
internal sealed class ProxyRewritePlugin : IGatewayPlugin
{
    public const string PluginName = "proxy-rewrite";

    public string Name => PluginName;

    public int Priority => 1008;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the proxy-rewrite schema is missing from the assembly");

    /// <summary>
    /// APISIX's <c>check_schema</c>: regex_uri pairs that compile, and in the flat headers form
    /// names of visible ASCII without <c>:</c> and values without control characters. The
    /// add/set/remove form is held to what a request can carry (APISIX leaves it to nginx).
    /// </summary>
    public string? CheckConfig(JsonObject config)
    {
        if (config["regex_uri"] is JsonArray regex)
        {
            if (regex.Count % 2 != 0)
            {
                return "The length of regex_uri should be an even number";
            }

            for (var i = 0; i < regex.Count; i += 2)
            {
                var pattern = regex[i]!.GetValue<string>();
                var replacement = regex[i + 1]!.GetValue<string>();
                if (RegexUriRule.TryCreate(pattern, replacement, out var error) is null)
                {
                    return $"invalid regex_uri({pattern}, {replacement}): {error}";
                }
            }
        }

        if (config["headers"] is not JsonObject headers)
        {
            return null;
        }

        if (!RequestHeaderEdits.IsOperationForm(headers))
        {
            return CheckHeaders(headers);
        }

        foreach (var part in new[] { "add", "set" })
        {
            if (headers[part] is JsonObject values && CheckHeaders(values) is { } error)
            {
                return error;
            }
        }

        return headers["remove"] is JsonArray remove && remove.Any(n => !IsFieldName(n!.GetValue<string>()))
            ? "invalid field character in header"
            : null;
    }

    private static string? CheckHeaders(JsonObject headers)
    {
        foreach (var (name, value) in headers)
        {
            if (name.Length == 0)
            {
                return "invalid field length in header";
            }

            if (!IsFieldName(name))
            {
                return "invalid field character in header";
            }

            if (RequestHeaderEdits.Values(value).Any(v => v.Any(c => c < 32 || c == 127)))
            {
                return "invalid value character in header";
            }
        }

        return null;
    }

    // APISIX's validate_header_field: '!' to '~', without ':'.
    private static bool IsFieldName(string name) => name.All(c => c > 32 && c < 127 && c != ':');

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        List<RegexUriRule>? rules = null;
        if (config["uri"] is null && config["regex_uri"] is JsonArray regex)
        {
            rules = [];
            for (var i = 0; i + 1 < regex.Count; i += 2)
            {
                rules.Add(RegexUriRule.TryCreate(regex[i]!.GetValue<string>(), regex[i + 1]!.GetValue<string>(), out _)
                    ?? throw new InvalidOperationException("regex_uri was checked when the config was saved"));
            }
        }

        return new ProxyRewriteHandler(
            config["uri"] is JsonValue uri ? ValueTemplate.Compile(uri.GetValue<string>(), captures: false) : null,
            rules,
            config["host"]?.GetValue<string>(),
            config["method"]?.GetValue<string>(),
            config["headers"] is JsonObject headers ? RequestHeaderEdits.Compile(headers) : null,
            JsonNodes.IsTrue(config["use_real_request_uri_unsafe"]));
    }
}

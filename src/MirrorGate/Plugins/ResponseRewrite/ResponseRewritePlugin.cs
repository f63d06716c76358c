using System.Text.Json.Nodes;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.ResponseRewrite;

/// <summary>
/// APISIX's <c>response-rewrite</c>: changes the client's answer (status, headers, body, or regex
/// edits of the body) when its <c>vars</c> match the response. Priority 899, as APISIX.
/// </summary>
internal sealed class ResponseRewritePlugin : IGatewayPlugin
{
    public const string PluginName = "response-rewrite";

    public string Name => PluginName;

    public int Priority => 899;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the response-rewrite schema is missing from the assembly");

    /// <summary>APISIX's check_schema, with its texts.</summary>
    public string? CheckConfig(JsonObject config)
    {
        if (config["headers"] is JsonObject headers && !ResponseHeaderEdits.IsOperationForm(headers)
            && headers.Any(p => p.Key.Length == 0))
        {
            return "invalid field length in header";
        }

        if (config["body_base64"]?.GetValue<bool>() == true && !IsBase64(config["body"]?.GetValue<string>()))
        {
            return "invalid base64 content";
        }

        if (config["vars"] is JsonArray vars && VarsExpression.Validate(vars) is { } varsError)
        {
            return varsError;
        }

        if (config["filters"] is JsonArray filters)
        {
            foreach (var filter in filters)
            {
                var regex = filter!["regex"]!.GetValue<string>();
                if (ResponseBodyFilter.TryCreate(regex, filter["replace"]!.GetValue<string>(), "once",
                        filter["options"]?.GetValue<string>() ?? "jo", out var error) is null)
                {
                    return $"regex \"{regex}\" validation failed: {error}";
                }
            }
        }

        return null;
    }

    private static bool IsBase64(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var bytes = new byte[text.Length];
        return Convert.TryFromBase64String(text, bytes, out _);
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
        => new ResponseRewriteHandler(ResponseRewriteConfig.Compile(config));
}

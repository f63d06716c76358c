using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.Cors;

/// <summary>
/// APISIX's <c>cors</c>: answers preflight requests and puts the CORS headers on a route's
/// answers. Priority 4000, as APISIX. <c>allow_origins_by_metadata</c> is in the schema (so
/// APISIX configs parse) but refused: MirrorGate has no plugin metadata.
/// </summary>
internal sealed class CorsPlugin : IGatewayPlugin
{
    public const string PluginName = "cors";

    public string Name => PluginName;

    public int Priority => 4000;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the cors schema is missing from the assembly");

    public string? CheckConfig(JsonObject config)
    {
        if (config["allow_origins_by_metadata"] is not null)
        {
            return "\"allow_origins_by_metadata\" is not supported: MirrorGate has no plugin metadata; list the origins in \"allow_origins\" or \"allow_origins_by_regex\"";
        }

        // APISIX checks after filling in defaults, so an absent allow_methods or allow_headers counts as "*".
        if (Bool(config, "allow_credential")
            && (Text(config, "allow_origins", "*") == "*" || Text(config, "allow_methods", "*") == "*"
                || Text(config, "allow_headers", "*") == "*" || Text(config, "expose_headers", null) == "*"
                || Text(config, "timing_allow_origins", null) == "*"))
        {
            return "you can not set '*' for other option when 'allow_credential' is true";
        }

        return RegexError(config["allow_origins_by_regex"]) ?? RegexError(config["timing_allow_origins_by_regex"]);
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var allowOrigins = Text(config, "allow_origins", "*")!;
        var methods = Text(config, "allow_methods", "*")!;
        var policy = new CorsPolicy
        {
            AllowOrigins = config["allow_origins_by_regex"] is JsonArray regexes
                ? CorsOriginRule.FromRegexes(Strings(regexes))
                : CorsOriginRule.FromList(allowOrigins),
            TimingAllowOrigins = config["timing_allow_origins_by_regex"] is JsonArray timingRegexes
                ? CorsOriginRule.FromRegexes(Strings(timingRegexes))
                : Text(config, "timing_allow_origins", null) is { } timing ? CorsOriginRule.FromList(timing) : null,
            AllowMethods = methods == "**" ? CorsPolicy.AllMethods : methods,
            AllowHeaders = Text(config, "allow_headers", "*")!,
            ExposeHeaders = Text(config, "expose_headers", null),
            MaxAge = (config["max_age"]?.GetValue<long>() ?? 5).ToString(CultureInfo.InvariantCulture),
            AllowCredential = Bool(config, "allow_credential"),
            VaryOrigin = allowOrigins != "*",
        };
        return new CorsHandler(policy);
    }

    private static string? RegexError(JsonNode? patterns)
    {
        if (patterns is not JsonArray array)
        {
            return null;
        }

        foreach (var pattern in Strings(array))
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
        }

        return null;
    }

    private static IEnumerable<string> Strings(JsonArray array) => array.Select(n => n!.GetValue<string>());

    private static string? Text(JsonObject config, string name, string? fallback) => config[name]?.GetValue<string>() ?? fallback;

    private static bool Bool(JsonObject config, string name) => config[name]?.GetValue<bool>() ?? false;
}

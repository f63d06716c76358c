using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// The gateway's bounds beyond APISIX's schemas (<c>Resources/Limits/*.json</c>): list sizes, and
/// numbers the gateway converts to Int32, Int64 or a timer. APISIX's Lua takes any double there;
/// here a value past the bound would be stored and then skipped by every snapshot build, so it is
/// refused with the bound in the message (<c>expected 2147483648 to be at most 2147483647</c>).
/// </summary>
/// <remarks>
/// The bounds are schemas too, checked with the same validator after APISIX's schema passed, so
/// the schemas the Admin API serves stay APISIX's text and the messages keep api7's form.
/// </remarks>
internal static class ResourceLimits
{
    /// <summary>Null when within bounds, else the full <c>error_msg</c>.</summary>
    public static string? Check(ResourceKind kind, JsonObject value) =>
        JsonSchemaValidator.Validate(ResourceSchemas.LimitsFor(kind), value) is { } error ? "invalid configuration: " + error : null;

    /// <summary>Null when a plugin config is within bounds, else the text after APISIX's <c>err: </c>.</summary>
    public static string? CheckPlugin(JsonNode config) => JsonSchemaValidator.Validate(ResourceSchemas.PluginConfigLimits, config);
}

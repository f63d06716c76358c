using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// PUT and POST bodies may not set the timestamps the store owns (PATCH may). APISIX looks at
/// the top level, then inside <c>upstream</c>, then inside <c>plugins</c>.
/// </summary>
internal static class ForbiddenProperties
{
    private static readonly string[] Names = ["create_time", "update_time"];

    public static string? Check(JsonObject body) =>
        Find(body, "")
        ?? (body["upstream"] is JsonObject upstream ? Find(upstream, "upstream.") : null)
        ?? (body["plugins"] is JsonObject plugins ? Find(plugins, "plugins.") : null);

    private static string? Find(JsonObject obj, string prefix)
    {
        foreach (var name in Names)
        {
            // APISIX's prefix already ends with a space and it adds another: two spaces, kept for compatibility.
            if (JsonNodes.IsTruthy(obj, name)) return "the property is forbidden:  " + prefix + name;
        }

        return null;
    }
}

using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// APISIX refuses a global rule that sets a plugin another global rule already sets: all global
/// rules run as one chain, where a plugin can appear only once (the data plane drops such a
/// plugin altogether, see <c>GlobalRuleChain</c>).
/// </summary>
internal static class GlobalRuleConflicts
{
    /// <summary>
    /// Null when none of <paramref name="rule"/>'s plugins is set by another of <paramref name="stored"/>
    /// (the rule's own stored version is skipped, so an update keeps its plugins), else APISIX's message.
    /// </summary>
    public static string? Find(JsonObject rule, IEnumerable<JsonObject> stored)
    {
        if (rule["plugins"] is not JsonObject plugins || rule["id"] is not JsonNode idNode)
        {
            return null;
        }

        var id = LuaText.Concat(idNode);
        foreach (var other in stored)
        {
            if (other["id"] is not JsonNode otherId || LuaText.Concat(otherId) == id || other["plugins"] is not JsonObject otherPlugins)
            {
                continue;
            }

            foreach (var (name, _) in plugins)
            {
                if (otherPlugins.ContainsKey(name))
                {
                    return $"plugin '{name}' already exists in global rule with id '{LuaText.Concat(otherId)}'";
                }
            }
        }

        return null;
    }
}

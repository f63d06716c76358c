using System.Text.Json.Nodes;

namespace MirrorGate.Snapshot;

/// <summary>
/// All global rules as the one plugin set APISIX runs for every request (its <c>merge_global_rules</c>):
/// each rule's plugins, where a plugin that two or more rules set is dropped altogether, since
/// neither config can be said to win. The Admin API refuses such a rule; one written to the store
/// directly still reaches here.
/// </summary>
internal static class GlobalRulePlugins
{
    /// <summary>
    /// The id the global chain's plugins are compiled under (their limit counters, mirror metrics and
    /// logs name it). Not a valid route id, so it can never share a route's state.
    /// </summary>
    public const string ScopeId = "(global rules)";

    /// <param name="rules">The valid global rules in store order, by id.</param>
    /// <param name="onDropped">Told of each plugin dropped because more than one rule sets it.</param>
    public static JsonObject Merge(IReadOnlyList<(string Id, JsonObject Rule)> rules, Action<string> onDropped)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        var merged = new JsonObject();
        foreach (var (_, rule) in rules)
        {
            if (rule["plugins"] is not JsonObject plugins)
            {
                continue;
            }

            foreach (var (name, config) in plugins)
            {
                if (seen.Add(name))
                {
                    merged[name] = config?.DeepClone();
                }
                else if (dropped.Add(name))
                {
                    merged.Remove(name);
                    onDropped(name);
                }
            }
        }

        return merged;
    }
}

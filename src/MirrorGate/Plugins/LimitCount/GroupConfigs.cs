using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;

namespace MirrorGate.Plugins.LimitCount;

/// <summary>
/// APISIX's group rule: routes sharing a <c>group</c> share one counter, so they must share one
/// config. As APISIX, the first config seen for a group is remembered (its plugin lrucache keeps
/// it an hour) and a different one is refused with "group conf mismatched". Compared are the
/// schema's properties with their defaults, so an omitted default equals the default written out.
/// </summary>
internal sealed class GroupConfigs(TimeProvider clock)
{
    private static readonly TimeSpan Remembered = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, (string Config, DateTimeOffset Until)> _groups = new(StringComparer.Ordinal);

    public bool Matches(string group, JsonObject config, JsonObject schema)
    {
        var canonical = Canonical(config, schema);
        var now = clock.GetUtcNow();
        var seen = _groups.AddOrUpdate(
            group,
            static (_, state) => (state.canonical, state.now + Remembered),
            static (_, old, state) => old.Until <= state.now ? (state.canonical, state.now + Remembered) : old,
            (canonical, now));
        return seen.Config == canonical;
    }

    private static string Canonical(JsonObject config, JsonObject schema)
    {
        var text = new StringBuilder();
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var name in properties.Select(p => p.Key).Order(StringComparer.Ordinal))
            {
                var value = config[name] ?? properties[name]?["default"];
                text.Append(name).Append('=').Append(value?.ToJsonString() ?? "null").Append('\n');
            }
        }

        return text.ToString();
    }
}

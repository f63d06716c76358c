using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace MirrorGate.Plugins.Limiting;

/// <summary>
/// The prefix of a limiter's state keys, as APISIX's <c>gen_limit_key</c>: routes in a
/// <c>group</c> share one prefix; otherwise it is the route and a digest of the plugin's config,
/// so a snapshot rebuilt for an unrelated change keeps the counters and a changed config starts
/// fresh (APISIX keys by the plugin config's version).
/// </summary>
internal static class LimitScope
{
    public static string For(string routeId, JsonObject config, string? group)
    {
        if (group is not null)
        {
            return "group:" + group + ":";
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(config.ToJsonString()));
        return "route:" + routeId + ":" + Convert.ToHexString(digest, 0, 8) + ":";
    }
}

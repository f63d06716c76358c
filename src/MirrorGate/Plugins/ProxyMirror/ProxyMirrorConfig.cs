using System.Text.Json.Nodes;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>How <c>path</c> combines with the request path (APISIX's <c>path_concat_mode</c>).</summary>
internal enum PathConcatMode
{
    Replace,
    Prefix,
}

/// <summary>
/// One route's proxy-mirror config, typed: its targets. APISIX's classic form (<c>host</c> at the
/// top) is one target named by its host; <c>targets</c> lists up to 16.
/// </summary>
internal sealed class ProxyMirrorConfig
{
    /// <summary>Attributes that belong to a target: at the top only in the classic form.</summary>
    public static readonly string[] TargetAttributes =
    [
        "host", "path", "path_concat_mode", "sample_ratio", "name", "timeout", "queue_size",
        "max_failure_ratio", "failure_window", "min_copies", "cool_down", "compare",
    ];

    private ProxyMirrorConfig(IReadOnlyList<MirrorTargetConfig> targets) => Targets = targets;

    public IReadOnlyList<MirrorTargetConfig> Targets { get; }

    /// <summary>Reads a config that already passed the plugin schema and <see cref="ProxyMirrorPlugin.CheckConfig"/>.</summary>
    public static ProxyMirrorConfig FromJson(JsonObject config)
    {
        if (config["targets"] is JsonArray targets)
        {
            return new ProxyMirrorConfig(targets.Select(t => MirrorTargetConfig.FromJson((JsonObject)t!, config)).ToArray());
        }

        return new ProxyMirrorConfig([MirrorTargetConfig.FromJson(config, config)]);
    }
}

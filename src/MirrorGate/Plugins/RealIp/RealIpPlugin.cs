using System.Net;
using System.Text.Json.Nodes;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.RealIp;

/// <summary>
/// APISIX's <c>real-ip</c>: takes the client's address from a header or argument set by a proxy
/// in front of the gateway. Priority 23000, as APISIX.
/// </summary>
internal sealed class RealIpPlugin : IGatewayPlugin
{
    public const string PluginName = "real-ip";

    /// <summary>The source APISIX reads itself (the last entry), not as nginx's joined variable.</summary>
    public const string ForwardedForSource = "http_x_forwarded_for";

    public string Name => PluginName;

    public int Priority => 23000;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the real-ip schema is missing from the assembly");

    /// <summary>As APISIX, each trusted address is checked again: the IPv6 pattern lets some non-addresses through.</summary>
    public string? CheckConfig(JsonObject config)
    {
        foreach (var entry in Trusted(config))
        {
            if (!IpNetworks.TryParse(entry, out _))
            {
                return "invalid ip address: " + entry;
            }
        }

        return null;
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var source = config["source"]!.GetValue<string>();
        IPNetwork[]? trusted = config["trusted_addresses"] is null
            ? null
            : Trusted(config).Select(e => IpNetworks.TryParse(e, out var n) ? n : throw new InvalidOperationException("unchecked real-ip address " + e)).ToArray();
        return new RealIpHandler(
            source == ForwardedForSource ? null : VarsVariable.Parse(source),
            trusted,
            config["recursive"]?.GetValue<bool>() ?? false);
    }

    private static IEnumerable<string> Trusted(JsonObject config)
        => (config["trusted_addresses"] as JsonArray ?? []).Select(n => n!.GetValue<string>());
}

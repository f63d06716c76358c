using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.IpRestriction;

/// <summary>
/// APISIX's <c>ip-restriction</c>: lets a route be reached only from (whitelist) or not from
/// (blacklist) given addresses and CIDRs, IPv4 or IPv6. Priority 3000, as APISIX.
/// </summary>
internal sealed class IpRestrictionPlugin : IGatewayPlugin
{
    public const string PluginName = "ip-restriction";

    public const string DefaultMessage = "Your IP address is not allowed";

    public string Name => PluginName;

    public int Priority => 3000;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the ip-restriction schema is missing from the assembly");

    /// <summary>The schema's IPv6 patterns let some non-addresses through (<c>:/8</c>); APISIX checks each entry again, so do we.</summary>
    public string? CheckConfig(JsonObject config)
    {
        foreach (var entry in Entries(config))
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
        var networks = Entries(config).Select(e => IpNetworks.TryParse(e, out var n) ? n : throw new InvalidOperationException("unchecked ip-restriction entry " + e)).ToArray();
        var message = config["message"]?.GetValue<string>() ?? DefaultMessage;
        // APISIX sends the JSON followed by a newline.
        var body = new JsonObject { ["message"] = message }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
        var rejection = PhaseResult.Respond(config["response_code"]?.GetValue<int>() ?? 403, body);
        return new IpRestrictionHandler(networks, isWhitelist: config["whitelist"] is not null, rejection);
    }

    // The schema allows exactly one of the lists.
    private static IEnumerable<string> Entries(JsonObject config)
        => ((config["whitelist"] ?? config["blacklist"]) as JsonArray ?? []).Select(n => n!.GetValue<string>());
}

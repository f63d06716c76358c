using System.Text.Json.Nodes;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Balancing;

/// <summary>
/// Reads APISIX's upstream <c>nodes</c> in either of its two shapes: the map
/// <c>{"host:port": weight}</c> or the array <c>[{host, port, weight, priority}]</c>.
/// The config is already schema-validated, so this only normalizes (brackets, default ports).
/// </summary>
internal static class UpstreamNodes
{
    public static IReadOnlyList<UpstreamNode> Parse(JsonObject upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var defaultPort = DefaultPort(upstream["scheme"]?.GetValue<string>());
        return upstream["nodes"] switch
        {
            JsonObject map => ParseMap(map, defaultPort),
            JsonArray array => ParseArray(array, defaultPort),
            _ => [],
        };
    }

    /// <summary>APISIX fills a missing port from the scheme: 443 for TLS schemes, 80 otherwise.</summary>
    public static int DefaultPort(string? scheme) => scheme switch
    {
        "https" or "grpcs" => 443,
        _ => 80,
    };

    private static UpstreamNode[] ParseMap(JsonObject map, int defaultPort)
    {
        var nodes = new UpstreamNode[map.Count];
        var i = 0;
        foreach (var (address, weight) in map)
        {
            var (host, port) = SplitAddress(address);
            nodes[i++] = new UpstreamNode(
                host,
                port ?? defaultPort,
                JsonInteger.ToInt32OrNull(weight) ?? 0,
                priority: 0,
                portWasExplicit: port is not null);
        }

        return nodes;
    }

    private static UpstreamNode[] ParseArray(JsonArray array, int defaultPort)
    {
        var nodes = new List<UpstreamNode>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonObject node)
            {
                continue;
            }

            var host = StripBrackets(node["host"]!.GetValue<string>());
            var port = JsonInteger.ToInt32OrNull(node["port"]);
            nodes.Add(new UpstreamNode(
                host,
                port ?? defaultPort,
                JsonInteger.ToInt32OrNull(node["weight"]) ?? 0,
                JsonInteger.ToInt32OrNull(node["priority"]) ?? 0,
                portWasExplicit: port is not null));
        }

        return nodes.ToArray();
    }

    /// <summary>
    /// Splits <c>host[:port]</c> as validation did (<see cref="NodeAddress"/>, APISIX's
    /// <c>parse_addr</c>): IPv6 comes as <c>[::1]:80</c> or <c>[::1]</c>, a bare address with several
    /// colons is IPv6 without a port, and a port is what Lua's <c>tonumber</c> reads (<c>080</c>,
    /// <c>0x50</c>); validation refused ports that are not whole numbers from 1 to 65535.
    /// </summary>
    internal static (string Host, int? Port) SplitAddress(string address)
    {
        var (host, port) = NodeAddress.Split(address);
        return (StripBrackets(host), port is { } p ? (int)p : null);
    }

    private static string StripBrackets(string host) =>
        host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
}

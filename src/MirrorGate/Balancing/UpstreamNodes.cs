using System.Globalization;
using System.Text.Json.Nodes;

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
                weight?.GetValue<int>() ?? 0,
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
            var port = node["port"]?.GetValue<int>();
            nodes.Add(new UpstreamNode(
                host,
                port ?? defaultPort,
                node["weight"]?.GetValue<int>() ?? 0,
                node["priority"]?.GetValue<int>() ?? 0,
                portWasExplicit: port is not null));
        }

        return nodes.ToArray();
    }

    /// <summary>
    /// Splits <c>host[:port]</c>. IPv6 comes as <c>[::1]:80</c> or <c>[::1]</c>; a bare address
    /// with several colons is taken as IPv6 without a port rather than guessing where it ends.
    /// </summary>
    internal static (string Host, int? Port) SplitAddress(string address)
    {
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']');
            var host = address[1..close];
            var rest = address.AsSpan(close + 1);
            return rest.Length > 1 && rest[0] == ':'
                ? (host, int.Parse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture))
                : (host, null);
        }

        var colon = address.IndexOf(':');
        if (colon < 0 || address.IndexOf(':', colon + 1) >= 0)
        {
            return (address, null);
        }

        return (address[..colon], int.Parse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private static string StripBrackets(string host) =>
        host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;
}

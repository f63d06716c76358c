using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// Node hosts the node could not send to. APISIX checks the host of an array node against its
/// host pattern, which also admits <c>[::1]:x</c> and <c>*</c>, and does not check the host of a
/// map key (<c>{"host:port": weight}</c>) at all; either would then fail when the destination URI
/// is built, on every request. A node host must match the node host pattern (a bare IPv6 address
/// is fine in a map key) and form a URI with its port.
/// </summary>
internal static class NodeHostCheck
{
    private const string HostPattern = @"^\*$|^\*?[0-9a-zA-Z-._\[\]:]+$";

    public static string? Check(JsonObject upstream)
    {
        switch (upstream["nodes"])
        {
            case JsonObject map:
                foreach (var (address, _) in map)
                {
                    var host = NodeAddress.Split(address).Host;
                    if (!IsServable(host, bareIPv6: IpText.IsIPv6(host))) return Invalid(address);
                }

                break;
            case JsonArray array:
                foreach (var node in array)
                {
                    if (node is JsonObject n && JsonNodes.TryString(n["host"], out var host) && !IsServable(host, bareIPv6: false))
                    {
                        return Invalid(host);
                    }
                }

                break;
        }

        return null;
    }

    // The same URI the snapshot build makes (UpstreamNode.Authority): IPv6 in brackets, any port.
    private static bool IsServable(string host, bool bareIPv6) =>
        (bareIPv6 || SchemaPatterns.IsMatch(HostPattern, host))
        && Uri.TryCreate($"http://{(bareIPv6 ? $"[{host}]" : host)}:80/", UriKind.Absolute, out _);

    private static string Invalid(string address) => $"invalid configuration: invalid node address {LuaText.Quote(address)}";
}

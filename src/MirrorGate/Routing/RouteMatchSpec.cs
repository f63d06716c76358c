using System.Net;
using System.Text.Json.Nodes;
using MirrorGate.Resources;

namespace MirrorGate.Routing;

/// <summary>
/// Everything the router needs to decide whether a request belongs to a route, read once from the route's
/// JSON (and its service's <c>hosts</c>) and kept immutable inside a snapshot.
/// </summary>
internal sealed class RouteMatchSpec
{
    public RouteMatchSpec(
        string id,
        IReadOnlyList<string> uris,
        IReadOnlyList<string>? hosts = null,
        IReadOnlyList<string>? methods = null,
        IReadOnlyList<IPNetwork>? remoteAddrs = null,
        VarsExpression? vars = null,
        int priority = 0,
        bool isEnabled = true)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(uris);
        Id = id;
        Uris = uris;
        UriPatterns = uris.Select(UriPattern.Parse).ToArray();

        // Hosts compare case-insensitively; lower-casing once keeps the index keys canonical.
        Hosts = hosts is { Count: > 0 } ? hosts.Select(h => h.ToLowerInvariant()).ToArray() : null;
        Methods = methods is { Count: > 0 } ? methods : null;
        MethodMask = HttpMethodMask.None;
        foreach (var method in Methods ?? [])
        {
            MethodMask |= HttpMethodMasks.From(method);
        }

        RemoteAddrs = remoteAddrs is { Count: > 0 } ? remoteAddrs : null;
        Vars = vars;
        Priority = priority;
        IsEnabled = isEnabled;
    }

    public string Id { get; }

    /// <summary>Each either exact or a prefix ending in <c>*</c>.</summary>
    public IReadOnlyList<string> Uris { get; }

    /// <summary>Lower-cased; exact or <c>*</c>-led wildcard. Null = host-less route (tried after host-bound ones).</summary>
    public IReadOnlyList<string>? Hosts { get; }

    /// <summary>Null = any method.</summary>
    public IReadOnlyList<string>? Methods { get; }

    /// <summary>Null = any client address.</summary>
    public IReadOnlyList<IPNetwork>? RemoteAddrs { get; }

    /// <summary>Null = no <c>vars</c> condition.</summary>
    public VarsExpression? Vars { get; }

    public int Priority { get; }

    /// <summary>False for <c>status: 0</c>; <see cref="RouteIndex{T}.Build"/> leaves such routes out.</summary>
    public bool IsEnabled { get; }

    internal IReadOnlyList<UriPattern> UriPatterns { get; }

    internal HttpMethodMask MethodMask { get; }

    /// <summary>
    /// Reads the matching fields of a schema-validated route. The service's <c>hosts</c> apply when the route has
    /// neither <c>hosts</c> nor <c>host</c>, as APISIX's radixtree_host_uri router does.
    /// </summary>
    /// <exception cref="VarsExpressionException">The <c>vars</c> expression does not compile.</exception>
    /// <exception cref="FormatException">A <c>remote_addr(s)</c> entry is not an address or CIDR.</exception>
    public static RouteMatchSpec FromConfig(string id, JsonObject route, JsonObject? service)
    {
        ArgumentNullException.ThrowIfNull(route);
        var uris = ReadStrings(route, "uris", "uri") ?? [];
        var hosts = ReadStrings(route, "hosts", "host") ?? (service is null ? null : ReadStrings(service, "hosts", null));
        var methods = ReadStrings(route, "methods", null);
        var remoteAddrs = ReadStrings(route, "remote_addrs", "remote_addr")?.Select(ParseNetwork).ToArray();
        var vars = route["vars"] is JsonArray { Count: > 0 } varsArray ? VarsExpression.Compile(varsArray) : null;
        var priority = JsonInteger.ToInt32OrNull(route["priority"]) ?? 0;
        var enabled = JsonInteger.ToInt32OrNull(route["status"]) != 0;
        return new RouteMatchSpec(id, uris, hosts, methods, remoteAddrs, vars, priority, enabled);
    }

    private static string[]? ReadStrings(JsonObject config, string arrayName, string? singleName)
    {
        if (config[arrayName] is JsonArray array)
        {
            return array.Select(n => n!.GetValue<string>()).ToArray();
        }

        if (singleName is not null && config[singleName] is JsonValue single)
        {
            return [single.GetValue<string>()];
        }

        return null;
    }

    private static IPNetwork ParseNetwork(string text) =>
        IpNetworks.TryParse(text, out var network) ? network : throw new FormatException($"invalid IP address: {text}");
}

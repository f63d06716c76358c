using MirrorGate.Routing;

namespace MirrorGate.Observability.Apisix;

/// <summary>
/// What one compiled route needs to label its requests: its <c>route</c> and <c>service</c>
/// label values (ids, or names with <c>prefer_name</c>) and hosts read once, and its
/// <see cref="NodeSeries"/> per (node, consumer) in a small copy-on-write array searched by reference. Series
/// themselves live in the families, so a route recompiled into a new snapshot gets a new cache
/// over the same series (and over new ones when a name changed).
/// </summary>
internal sealed class RouteSeries
{
    // Beyond this many (node, consumer) pairs a request builds its series' labels again (a label
    // string per request) instead of growing the array without bound.
    private const int MaxCachedNodes = 128;

    private readonly ApisixHttpFamilies _families;
    private readonly IReadOnlyList<string>? _hosts;
    private NodeSeries[] _nodes = [];

    public RouteSeries(ApisixHttpFamilies families, string route, string service, IReadOnlyList<string>? hosts)
    {
        _families = families;
        Route = route;
        Service = service;
        _hosts = hosts;
    }

    public string Route { get; }

    public string Service { get; }

    public NodeSeries For(string node, string consumer)
    {
        var nodes = Volatile.Read(ref _nodes);
        foreach (var entry in nodes)
        {
            if (Same(entry.Node, node) && Same(entry.Consumer, consumer))
            {
                return entry;
            }
        }

        var series = new NodeSeries(_families, Route, Service, node, consumer);
        while (true)
        {
            var current = Volatile.Read(ref _nodes);
            if (current.Length >= MaxCachedNodes)
            {
                return series;
            }

            NodeSeries[] next = [.. current, series];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _nodes, next, current), current))
            {
                return series;
            }
        }
    }

    /// <summary>
    /// APISIX's <c>matched_host</c>: the route's host pattern the request matched, "" for a
    /// host-less route. One host needs no look; several are compared with the request's host.
    /// </summary>
    public string MatchedHost(string? hostHeader)
    {
        var hosts = _hosts;
        if (hosts is null || hosts.Count == 0)
        {
            return "";
        }

        if (hosts.Count == 1)
        {
            return hosts[0];
        }

        var host = RequestHost.WithoutPort(hostHeader);
        foreach (var pattern in hosts)
        {
            if (pattern.StartsWith('*')
                ? host.EndsWith(pattern.AsSpan(1), StringComparison.OrdinalIgnoreCase)
                : host.Equals(pattern, StringComparison.OrdinalIgnoreCase))
            {
                return pattern;
            }
        }

        return "";
    }

    private static bool Same(string a, string b) => ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.Ordinal);
}

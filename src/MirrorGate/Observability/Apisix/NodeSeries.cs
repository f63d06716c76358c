namespace MirrorGate.Observability.Apisix;

/// <summary>
/// The series of one (route, node, consumer), found by the request with a reference compare: the
/// three latency histograms, the two bandwidth counters and, per (code, matched uri, matched
/// host), the status counters, held in a small copy-on-write array.
/// </summary>
internal sealed class NodeSeries
{
    // Beyond this many (code, uri, host) entries a route's node goes through the family's
    // dictionary (a label string per request) instead of growing the array without bound.
    private const int MaxCachedStatuses = 64;

    private readonly ApisixHttpFamilies _families;
    private readonly string _route;
    private readonly string _service;
    private StatusEntry[] _statuses = [];

    public NodeSeries(ApisixHttpFamilies families, string route, string service, string node, string consumer)
    {
        _families = families;
        _route = route;
        _service = service;
        Node = node;
        Consumer = consumer;
        RequestLatency = families.Latency.GetOrAdd(Latency("request"));
        ApisixLatency = families.Latency.GetOrAdd(Latency("apisix"));
        Ingress = families.Bandwidth.GetOrAdd(Bandwidth("ingress"));
        Egress = families.Bandwidth.GetOrAdd(Bandwidth("egress"));
    }

    public string Node { get; }

    /// <summary>The consumer's username, "" when no authentication plugin attached one.</summary>
    public string Consumer { get; }

    public HistogramSeries RequestLatency { get; }

    /// <summary>Made on first use, as APISIX observes it only when an upstream was tried: no empty series for a 404.</summary>
    public HistogramSeries UpstreamLatency => field ??= _families.Latency.GetOrAdd(Latency("upstream"));

    public HistogramSeries ApisixLatency { get; }

    public ApisixCounter Ingress { get; }

    public ApisixCounter Egress { get; }

    public ApisixCounter Status(int code, string matchedUri, string matchedHost)
    {
        var statuses = Volatile.Read(ref _statuses);
        foreach (var entry in statuses)
        {
            if (entry.Code == code && Same(entry.MatchedUri, matchedUri) && Same(entry.MatchedHost, matchedHost))
            {
                return entry.Counter;
            }
        }

        return AddStatus(code, matchedUri, matchedHost);
    }

    private ApisixCounter AddStatus(int code, string matchedUri, string matchedHost)
    {
        var counter = _families.Status.GetOrAdd(ApisixLabels.Format(ApisixHttpFamilies.StatusLabels,
            [ApisixLabels.Status(code), _route, matchedUri, matchedHost, _service, Consumer, Node]));
        while (true)
        {
            var current = Volatile.Read(ref _statuses);
            if (current.Length >= MaxCachedStatuses)
            {
                return counter;
            }

            StatusEntry[] next = [.. current, new StatusEntry(code, matchedUri, matchedHost, counter)];
            if (ReferenceEquals(Interlocked.CompareExchange(ref _statuses, next, current), current))
            {
                return counter;
            }
        }
    }

    private string Latency(string type) =>
        ApisixLabels.Format(ApisixHttpFamilies.LatencyLabels, [type, _route, _service, Consumer, Node]);

    private string Bandwidth(string type) =>
        ApisixLabels.Format(ApisixHttpFamilies.BandwidthLabels, [type, _route, _service, Consumer, Node]);

    private static bool Same(string a, string b) => ReferenceEquals(a, b) || string.Equals(a, b, StringComparison.Ordinal);

    private sealed record StatusEntry(int Code, string MatchedUri, string MatchedHost, ApisixCounter Counter);
}

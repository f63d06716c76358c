using System.Net;
using System.Runtime.CompilerServices;
using MirrorGate.Hosting;
using MirrorGate.Pipeline;
using MirrorGate.Snapshot;
using MirrorGate.Stores;

namespace MirrorGate.Observability.Apisix;

/// <summary>
/// APISIX's <c>prometheus</c> plugin series beside the mirror's: per request (from the
/// <see cref="ICompletedRequestObserver"/> call) <c>http_status</c>, <c>http_latency</c> and
/// <c>bandwidth</c>, for the requests the plugin marked (<see cref="ProxyContext.ApisixHttpMetrics"/>);
/// at scrape time the node gauges (connections, requests, node info, etcd, upstream health), which
/// APISIX's exporter writes whether or not a route has the plugin. Names, types, help texts, label
/// names and their order are APISIX's. A request costs a weak-table probe for its route, two
/// reference scans of small arrays, and Interlocked updates: its label strings are built once per
/// new series, never per request.
/// </summary>
internal sealed class ApisixMetrics : ICompletedRequestObserver, IPrometheusSource
{
    private readonly ApisixMetricsSettings _settings;
    private readonly ApisixHttpFamilies _families;
    private readonly SnapshotHolder _snapshots;
    private readonly ProxyConnectionCounters _connections;
    private readonly RequestCounts _requests;
    private readonly IConfigServerReachability? _configServer;
    private readonly string _hostname;
    private readonly string _version;
    // One cache per label choice: a route's labels by id, and by name for prefer_name. A compiled
    // route is immutable (a renamed route or service is a new RouteModel in the next snapshot), so
    // an entry never goes stale; it goes with its route.
    private readonly ConditionalWeakTable<RouteModel, RouteSeries> _byIds = [];
    private readonly ConditionalWeakTable<RouteModel, RouteSeries> _byNames = [];
    private readonly ConditionalWeakTable<RouteModel, RouteSeries>.CreateValueCallback _createByIds;
    private readonly ConditionalWeakTable<RouteModel, RouteSeries>.CreateValueCallback _createByNames;

    public ApisixMetrics(
        ApisixMetricsSettings settings,
        SnapshotHolder snapshots,
        ProxyConnectionCounters connections,
        RequestCounts requests,
        IConfigStore? store = null,
        string? hostname = null,
        string? version = null)
    {
        _settings = settings;
        _families = new ApisixHttpFamilies(settings);
        _snapshots = snapshots;
        _connections = connections;
        _requests = requests;
        _configServer = store as IConfigServerReachability;
        _hostname = hostname ?? Dns.GetHostName();
        _version = version ?? CommandLine.Version;
        _createByIds = route => new RouteSeries(_families, route.Id, route.ServiceId, route.Hosts);
        // APISIX's prefer_name: the route's name or its id; the service's name or its id ("" without a service).
        _createByNames = route => new RouteSeries(_families, route.Name ?? route.Id,
            route.ServiceId.Length == 0 ? "" : route.ServiceName ?? route.ServiceId, route.Hosts);
    }

    public bool NeedsByteCounts => true;

    public void OnCompleted(in CompletedRequest request)
    {
        // Only a request the prometheus plugin ran for is recorded, as in APISIX. One that matched
        // no route is recorded when a global rule's plugin marked its context; that context's
        // route has the id "" and no hosts, which gives APISIX's labels for it (all "" but code).
        var proxy = request.Proxy;
        if (proxy is null || proxy.ApisixHttpMetrics == ApisixHttpMetricsMark.None)
        {
            return;
        }

        var http = request.Http;
        var (routes, create) = proxy.ApisixHttpMetrics == ApisixHttpMetricsMark.Names ? (_byNames, _createByNames) : (_byIds, _createByIds);
        var route = routes.TryGetValue(proxy.Route, out var cached) ? cached : routes.GetValue(proxy.Route, create);

        // APISIX's node label is ctx.balancer_ip: the last node tried, "" when none was picked.
        // The consumer label is the username key-auth attached, "" without one.
        var series = route.For(proxy.Node?.Host ?? "", proxy.Consumer?.Name ?? "");
        series.Status(http.Response.StatusCode, proxy.MatchedUri, route.MatchedHost(http.Request.Host.Value)).Add(1);

        var total = request.RequestTime.TotalMilliseconds;
        var apisix = total;
        if (proxy.LastAttempt is { } last)
        {
            var upstream = last.Elapsed.TotalMilliseconds;
            if (proxy.EarlierAttempts is { } earlier)
            {
                foreach (var attempt in earlier)
                {
                    upstream += attempt.Elapsed.TotalMilliseconds;
                }
            }

            series.UpstreamLatency.Record(upstream);
            apisix = Math.Max(0, total - upstream);
        }

        series.RequestLatency.Record(total);
        series.ApisixLatency.Record(apisix);
        series.Ingress.Add(HeadSize.Request(http) + request.RequestBodyBytes);
        series.Egress.Add(HeadSize.Response(http) + request.ResponseBodyBytes);
    }

    public void WriteTo(TextWriter writer)
    {
        // Families in name order, as a scrape of APISIX lists them.
        var prefix = _settings.MetricPrefix;
        var families = new SortedDictionary<string, Action<TextWriter>>(StringComparer.Ordinal)
        {
            [_families.Bandwidth.Name] = _families.Bandwidth.WriteTo,
            [_families.Latency.Name] = _families.Latency.WriteTo,
            [_families.Status.Name] = _families.Status.WriteTo,
            [prefix + "http_requests_total"] = w => Gauge(w, prefix + "http_requests_total", "The total number of client requests since APISIX started", [("", _requests.Started)]),
            [prefix + "nginx_http_current_connections"] = WriteConnections,
            [prefix + "node_info"] = w => Gauge(w, prefix + "node_info", "Info of APISIX node",
                [(ApisixLabels.Format(["hostname", "version"], [_hostname, _version]), 1)]),
            [prefix + "upstream_status"] = WriteUpstreamStatus,
        };

        if (_configServer is not null)
        {
            families[prefix + "etcd_reachable"] = w => Gauge(w, prefix + "etcd_reachable", "Config server etcd reachable from APISIX, 0 is unreachable",
                [("", _configServer.IsReachable ? 1 : 0)]);
        }

        foreach (var write in families.Values)
        {
            write(writer);
        }
    }

    private void WriteConnections(TextWriter writer)
    {
        // nginx's stub_status, as Kestrel lets us see it: active and accepted are counted on the
        // proxy listeners; handled equals accepted (Kestrel drops no accepted connection for lack
        // of resources); writing is the requests in progress; reading (a request head being read)
        // is not visible to the application and reads 0; waiting (idle keep-alive) is the rest.
        var active = _connections.Active;
        var accepted = _connections.Accepted;
        var writing = Math.Min(_requests.InFlight, active);
        var state = new[] { "state" };
        Gauge(writer, _settings.MetricPrefix + "nginx_http_current_connections", "Number of HTTP connections",
        [
            (ApisixLabels.Format(state, ["accepted"]), accepted),
            (ApisixLabels.Format(state, ["active"]), active),
            (ApisixLabels.Format(state, ["handled"]), accepted),
            (ApisixLabels.Format(state, ["reading"]), 0),
            (ApisixLabels.Format(state, ["waiting"]), Math.Max(0, active - writing)),
            (ApisixLabels.Format(state, ["writing"]), writing),
        ]);
    }

    private void WriteUpstreamStatus(TextWriter writer)
    {
        // One series per checked node of every upstream in the current snapshot (APISIX walks its
        // health checkers): 1 healthy, 0 unhealthy. Several compiled variants of one upstream
        // (a route timeout makes its own pool) report once.
        var series = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, upstream) in _snapshots.Current.Upstreams)
        {
            if (upstream.Health is not { } health)
            {
                continue;
            }

            var name = UpstreamStatusName.FromKey(key);
            foreach (var node in health.Nodes)
            {
                var labels = ApisixLabels.Format(["name", "ip", "port"], [name, node.Host, PrometheusText.FormatLong(node.Port)]);
                series.TryAdd(labels, health.IsHealthy(node) ? 1 : 0);
            }
        }

        Gauge(writer, _settings.MetricPrefix + "upstream_status", "Upstream status from health check", [.. series.Select(static s => (s.Key, s.Value))]);
    }

    private static void Gauge(TextWriter writer, string name, string help, (string Labels, long Value)[] series)
    {
        if (series.Length == 0)
        {
            return;
        }

        writer.Write($"# HELP {name} {PrometheusText.EscapeHelp(help)}\n# TYPE {name} gauge\n");
        foreach (var (labels, value) in series)
        {
            writer.Write(labels.Length == 0
                ? $"{name} {PrometheusText.FormatLong(value)}\n"
                : $"{name}{{{labels}}} {PrometheusText.FormatLong(value)}\n");
        }
    }
}

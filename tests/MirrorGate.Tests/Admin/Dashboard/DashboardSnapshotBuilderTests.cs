using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Admin;
using MirrorGate.Admin.Dashboard;
using MirrorGate.Hosting;
using MirrorGate.Mirroring;
using MirrorGate.Observability;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Routing;
using MirrorGate.Snapshot;
using MirrorGate.Tests.Mirroring;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Admin.Dashboard;

/// <summary>
/// The dashboard's snapshot read from a real exporter fed by real instruments (a meter factory of
/// the test's own, so parallel tests do not mix), routes compiled as the snapshot builder does.
/// </summary>
public sealed class DashboardSnapshotBuilderTests : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly PrometheusExporter _exporter;
    private readonly MirrorMetrics _metrics;
    private readonly MirrorDispatcher _dispatcher;
    private readonly MirrorRuntime _runtime;
    private readonly ManualTimeProvider _time = new();
    private readonly SnapshotHolder _holder = new();
    private readonly UpstreamModelFactory _upstreams;

    public DashboardSnapshotBuilderTests()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(scope: factory);
        _metrics = new MirrorMetrics(factory);
        var settings = ProxyMirrorSettings.Default with { QueueSize = 64 };
        _dispatcher = TestDispatcher.Create(settings, _metrics, new MirrorMemoryBudget(() => 1 << 20));
        _runtime = new MirrorRuntime(_dispatcher, _metrics, () => settings, () => 0, new MirrorMarker("node-7"), _time);
        _upstreams = new UpstreamModelFactory(_time, NullLoggerFactory.Instance);
    }

    public async ValueTask DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        _exporter.Dispose();
        _metrics.Dispose();
        await _services.DisposeAsync();
    }

    private DashboardSnapshotBuilder Builder() => new(_holder, new MirrorSeriesReader(_exporter), _runtime, _time);

    private RouteModel Route(string id, string json, UpstreamModel? upstream = null)
    {
        var config = JsonNode.Parse(json)!.AsObject();
        var handlers = config["plugins"]?["proxy-mirror"] is JsonObject mirror
            ? new PluginHandler[] { ProxyMirrorHandler.Create(ProxyMirrorConfig.FromJson(mirror), _runtime, id) }
            : [];
        return new RouteModel { Id = id, Config = config, Plugins = new PluginChain(handlers), Upstream = upstream };
    }

    private void Publish(long revision, params RouteModel[] routes)
    {
        var index = RouteIndex<RouteModel>.Build(routes.Select(r => (RouteMatchSpec.FromConfig(r.Id, r.Config, null), r)));
        _holder.Publish(new GatewaySnapshot(revision, index, new Dictionary<string, UpstreamModel>(), routes));
    }

    private static MirrorTargetHandler Target(RouteModel route, int index)
        => ((ProxyMirrorHandler)route.Plugins.Handlers[0]).Targets[index];

    [Fact]
    public void Build_MirroredRoute_ReportsEachTargetsSettingsAndCounters()
    {
        var route = Route("r1", """
            {"uri":"/orders","name":"orders","plugins":{"proxy-mirror":{"targets":[
              {"name":"v2","host":"http://127.0.0.1:9","sample_ratio":0.25},
              {"host":"http://127.0.0.1:10","queue_size":8,"max_failure_ratio":0.5}]}}}
            """);
        Publish(12, route);
        var v2 = Target(route, 0).Metrics;
        for (var i = 0; i < 4; i++)
        {
            v2.OnSampled();
        }

        v2.OnSent(200, TimeSpan.FromMilliseconds(3));
        v2.OnSent(503, TimeSpan.FromMilliseconds(4));
        v2.OnFailed(MirrorReasons.Timeout, TimeSpan.FromSeconds(1));
        v2.OnRefused(MirrorReasons.QueueFull);
        var second = Target(route, 1).Metrics;
        second.OnSampled();
        Assert.True(second.Load!.TryTake());

        var snapshot = Builder().Build();

        Assert.Equal("node-7", snapshot.Node.NodeId);
        Assert.Equal(12, snapshot.Node.ConfigRevision);
        var shown = Assert.Single(snapshot.Routes);
        Assert.Equal("orders", shown.Name);
        Assert.Equal(["/orders"], shown.Uris);
        Assert.Null(shown.Upstream);
        var targets = shown.Mirror!;
        Assert.Equal(2, targets.Count);

        var first = targets[0];
        Assert.Equal(("v2", "http://127.0.0.1:9", 0.25, false), (first.Name, first.Host, first.SampleRatio, first.Compare));
        Assert.Equal(4, first.Counters.Sampled);
        Assert.Equal(new Dictionary<string, long> { ["2xx"] = 1, ["5xx"] = 1 }, first.Counters.SentByStatusClass);
        Assert.Equal(new Dictionary<string, long> { ["timeout"] = 1 }, first.Counters.FailedByReason);
        Assert.Equal(new Dictionary<string, long> { ["queue_full"] = 1 }, first.Counters.DroppedByReason);
        Assert.Equal(first.Counters.Sampled, first.Counters.Sent + first.Counters.Failed + first.Counters.Dropped);
        Assert.Equal(0, first.Counters.Pending);
        Assert.Equal(3, first.Latency.Count);
        Assert.Equal(("off", false, (int?)null, (int?)null), (first.KillSwitch, first.CircuitOpen, first.QueueSize, first.Held));

        var unnamed = targets[1];
        Assert.Equal("http://127.0.0.1:10", unnamed.Name);
        Assert.Equal((1, 1), (unnamed.Counters.Sampled, unnamed.Counters.Pending));
        Assert.Equal(("closed", 8, 1), (unnamed.KillSwitch, unnamed.QueueSize!.Value, unnamed.Held!.Value));
        Assert.Equal(0, unnamed.Latency.Count);
        Assert.Null(unnamed.Latency.P50);
    }

    [Fact]
    public void Build_SeriesOfAnotherRouteOrTarget_AreNotMixedIn()
    {
        var route = Route("a", """{"uri":"/a","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:9"}}}""");
        var other = Route("b", """{"uri":"/b","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:9"}}}""");
        Publish(1, route, other);
        Target(other, 0).Metrics.OnSampled();
        Target(other, 0).Metrics.OnSampled();
        Target(route, 0).Metrics.OnSampled();

        var snapshot = Builder().Build();

        Assert.Equal(1, snapshot.Routes.Single(r => r.Id == "a").Mirror![0].Counters.Sampled);
        Assert.Equal(2, snapshot.Routes.Single(r => r.Id == "b").Mirror![0].Counters.Sampled);
    }

    [Fact]
    public void Build_DurationsRecorded_PercentilesComeFromTheBuckets()
    {
        var route = Route("r", """{"uri":"/","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:9"}}}""");
        Publish(1, route);
        var metrics = Target(route, 0).Metrics;

        // 90 copies in (5 ms, 10 ms], 10 in (250 ms, 500 ms]: p50 and p90 in the first bucket, p99 in the second.
        for (var i = 0; i < 90; i++)
        {
            metrics.OnSent(200, TimeSpan.FromMilliseconds(7));
        }

        for (var i = 0; i < 10; i++)
        {
            metrics.OnSent(200, TimeSpan.FromMilliseconds(300));
        }

        var latency = Builder().Build().Routes[0].Mirror![0].Latency;

        Assert.Equal(100, latency.Count);
        Assert.Equal(0.005 + (0.005 * 50 / 90), latency.P50!.Value, 9);
        Assert.Equal(0.010, latency.P90!.Value, 9);
        Assert.Equal(0.25 + (0.25 * 9 / 10), latency.P99!.Value, 9);
        Assert.Equal(latency.Bounds.Count + 1, latency.Cumulative.Count);
    }

    [Fact]
    public void Build_RouteWithoutMirror_ShowsUpstreamNodesAndTheirHealth()
    {
        var upstream = _upstreams.Create("upstream/u1@3", JsonNode.Parse("""
            {"type":"roundrobin","nodes":{"127.0.0.1:8081":2,"127.0.0.1:8082":1},
             "checks":{"passive":{"unhealthy":{"http_failures":1}}}}
            """)!.AsObject(), null);
        var plain = _upstreams.Create("route/p", JsonNode.Parse("""{"type":"roundrobin","nodes":{"127.0.0.1:8083":1}}""")!.AsObject(), null);
        try
        {
            upstream.Health!.ReportPassive(upstream.Balancer.Nodes.Single(n => n.Port == 8082), 500);
            Publish(2,
                Route("checked", """{"uris":["/x","/y*"],"hosts":["a.test"],"methods":["GET"],"upstream_id":"u1"}""", upstream),
                Route("plain", """{"uri":"/p","upstream":{"nodes":{"127.0.0.1:8083":1}}}""", plain));

            var routes = Builder().Build().Routes;

            var checkedRoute = routes[0];
            Assert.Null(checkedRoute.Mirror);
            Assert.Equal(["/x", "/y*"], checkedRoute.Uris);
            Assert.Equal(["a.test"], checkedRoute.Hosts);
            Assert.Equal(["GET"], checkedRoute.Methods);
            Assert.Equal(("u1", true), (checkedRoute.Upstream!.Id, checkedRoute.Upstream.HealthChecked));
            Assert.Equal(
                [("127.0.0.1:8081", 2, DashboardHealth.Healthy), ("127.0.0.1:8082", 1, DashboardHealth.Unhealthy)],
                checkedRoute.Upstream.Nodes.Select(n => (n.Address, n.Weight, n.Health)).OrderBy(n => n.Address).ToArray());

            var plainRoute = routes[1];
            Assert.Equal(((string?)null, false), (plainRoute.Upstream!.Id, plainRoute.Upstream.HealthChecked));
            Assert.Equal(DashboardHealth.Unchecked, Assert.Single(plainRoute.Upstream.Nodes).Health);
        }
        finally
        {
            upstream.Health?.Dispose();
            upstream.Invoker.Dispose();
            plain.Invoker.Dispose();
        }
    }

    [Fact]
    public void Build_ClockMoves_UptimeFollowsIt()
    {
        var builder = Builder();
        _time.Advance(TimeSpan.FromSeconds(90));

        var node = builder.Build().Node;

        Assert.Equal(90, node.UptimeSeconds, 6);
        Assert.Equal(CommandLine.Version, node.Version);
    }

    [Fact]
    public void Write_Snapshot_HasTheDocumentedFields()
    {
        var route = Route("r", """{"uri":"/","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:9"}}}""");
        Publish(1, route);
        Target(route, 0).Metrics.OnSampled();
        Target(route, 0).Metrics.OnSent(204, TimeSpan.FromMilliseconds(2));
        var snapshot = Builder().Build();

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, AdminJson.WriterOptions))
        {
            DashboardJson.Write(writer, snapshot);
        }

        var json = JsonNode.Parse(buffer.ToArray())!.AsObject();
        Assert.Equal(["node", "mirror", "routes"], json.Select(p => p.Key));
        Assert.Equal(["version", "node_id", "hostname", "started_at", "time", "uptime_seconds", "config_revision"], json["node"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["queue_depth", "queue_size", "in_flight", "buffered_bytes", "max_buffered_bytes"], json["mirror"]!.AsObject().Select(p => p.Key));
        var shown = json["routes"]![0]!.AsObject();
        Assert.Equal(["id", "name", "uris", "hosts", "methods", "upstream", "mirror_targets"], shown.Select(p => p.Key));
        var target = shown["mirror_targets"]![0]!.AsObject();
        Assert.Equal(
            ["name", "host", "sample_ratio", "sample_key", "compare", "queue_size", "held", "circuit", "kill_switch", "counters", "latency"],
            target.Select(p => p.Key));
        Assert.Equal(
            ["sampled", "sent", "failed", "dropped", "pending", "sent_by_status_class", "failed_by_reason", "dropped_by_reason"],
            target["counters"]!.AsObject().Select(p => p.Key));
        Assert.Equal(1, target["counters"]!["sampled"]!.GetValue<long>());
        Assert.Equal(1, target["counters"]!["sent_by_status_class"]!["2xx"]!.GetValue<long>());
        Assert.Equal(
            ["count", "sum_seconds", "p50_seconds", "p90_seconds", "p99_seconds", "bucket_bounds_seconds", "bucket_cumulative_counts"],
            target["latency"]!.AsObject().Select(p => p.Key));
        Assert.Equal("closed", target["circuit"]!.GetValue<string>());
    }
}

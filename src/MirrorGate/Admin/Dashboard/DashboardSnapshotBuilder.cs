using System.Text.Json.Nodes;
using MirrorGate.Balancing;
using MirrorGate.Hosting;
using MirrorGate.Mirroring;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;

namespace MirrorGate.Admin.Dashboard;

/// <summary>
/// Builds a <see cref="DashboardSnapshot"/> from where the data lives: the live
/// <see cref="GatewaySnapshot"/> (routes, upstreams, each target's handler with its kill switch,
/// queue budget and circuit), the node's health checkers, the dispatcher's load and the
/// exporter's series. It only reads; the request path does nothing for it.
/// </summary>
internal sealed class DashboardSnapshotBuilder
{
    private readonly SnapshotHolder _snapshots;
    private readonly MirrorSeriesReader _series;
    private readonly MirrorRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _startedAt;

    public DashboardSnapshotBuilder(SnapshotHolder snapshots, MirrorSeriesReader series, MirrorRuntime runtime, TimeProvider time)
    {
        _snapshots = snapshots;
        _series = series;
        _runtime = runtime;
        _time = time;

        // Built with the node (the Admin API is resolved before the node starts), so this is its start.
        _startedAt = time.GetUtcNow();
    }

    public DashboardSnapshot Build()
    {
        var snapshot = _snapshots.Current;
        var series = _series.Read();
        var settings = _runtime.Settings;
        var node = new DashboardNode(
            CommandLine.Version,
            _runtime.Marker.NodeId,
            Environment.MachineName,
            _startedAt,
            _time.GetUtcNow(),
            snapshot.Revision);
        var load = new DashboardMirrorLoad(
            _runtime.Dispatcher.QueueLength,
            settings.QueueSize,
            _runtime.Dispatcher.InFlight,
            _runtime.Dispatcher.Budget.Used,
            settings.MaxBufferedBytes);
        return new DashboardSnapshot(node, load, snapshot.RouteList.Select(r => Route(r, series)).ToArray());
    }

    private static DashboardRoute Route(RouteModel route, MirrorSeries series)
    {
        var config = route.Config;
        var uris = Strings(config["uris"]) ?? (config["uri"] is { } uri ? [Text(uri)!] : []);
        var mirror = route.Plugins.Handlers.OfType<ProxyMirrorHandler>().FirstOrDefault();
        return new DashboardRoute(
            route.Id,
            Text(config["name"]),
            uris,
            Strings(config["hosts"]) ?? (config["host"] is { } host ? [Text(host)!] : null),
            Strings(config["methods"]),
            route.Upstream is { } upstream ? Upstream(config, upstream) : null,
            mirror?.Targets.Select(t => Target(route.Id, t, series)).ToArray());
    }

    private static DashboardUpstream Upstream(JsonObject route, UpstreamModel upstream)
    {
        // The route's own upstream wins over its service's, as the snapshot resolved it.
        var ownUpstream = route["upstream"] is not null || route["upstream_id"] is not null;
        var nodes = upstream.Balancer.Nodes.Select(n => new DashboardUpstreamNode(n.Authority, n.Weight, n.Priority, Health(upstream.Health, n))).ToArray();
        return new DashboardUpstream(
            Text(route["upstream_id"]),
            ownUpstream ? null : Text(route["service_id"]),
            upstream.Scheme,
            upstream.Health is not null,
            nodes);
    }

    private static string Health(HealthChecker? checker, UpstreamNode node)
    {
        if (checker?.StateOf(node) is not { } state)
        {
            return DashboardHealth.Unchecked;
        }

        return state.IsHealthy ? DashboardHealth.Healthy : DashboardHealth.Unhealthy;
    }

    private static DashboardMirrorTarget Target(string routeId, MirrorTargetHandler handler, MirrorSeries series)
    {
        var config = handler.Config;
        var killSwitch = handler.Metrics.KillSwitch switch
        {
            null => "off",
            { IsOpen: true } => "open",
            _ => "closed",
        };
        return new DashboardMirrorTarget(
            config.Name,
            config.Host,
            config.SampleRatio,
            config.SampleKey,
            handler.Comparison is not null,
            config.QueueSize,
            handler.Metrics.Load?.Held,
            !handler.Circuit.AllowsRequest(),
            killSwitch,
            series.CountersOf(routeId, config.Name),
            series.LatencyOf(routeId, config.Name));
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        _ => node.ToJsonString(),
    };

    private static string[]? Strings(JsonNode? node)
        => node is JsonArray array ? array.Select(Text).OfType<string>().ToArray() : null;
}

using System.Text.Json.Nodes;

namespace MirrorGate.Balancing;

/// <summary>Builds the balancer an upstream's <c>type</c> names.</summary>
internal static class LoadBalancerFactory
{
    public const string RoundRobin = "roundrobin";
    public const string ConsistentHash = "chash";
    public const string LeastConnections = "least_conn";
    public const string Ewma = "ewma";

    public static ILoadBalancer Create(JsonObject upstream, HealthChecker? health) =>
        Create(upstream, health, TimeProvider.System, Random.Shared);

    /// <summary>
    /// Builds the balancer. <paramref name="health"/> is the upstream's checker (null when it has no
    /// <c>checks</c>); it must have been built from the same upstream. <paramref name="random"/> must
    /// be thread-safe outside tests.
    /// </summary>
    /// <exception cref="NotSupportedException">
    /// The type is not built in. APISIX's Admin API accepts any name (custom balancer modules) and
    /// fails at request time; we fail when the snapshot is built, so the caller can log and skip.
    /// </exception>
    public static ILoadBalancer Create(JsonObject upstream, HealthChecker? health, TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var type = upstream["type"]?.GetValue<string>() ?? RoundRobin;
        var nodes = UpstreamNodes.Parse(upstream);
        return type switch
        {
            RoundRobin => new RoundRobinBalancer(nodes, health),
            ConsistentHash => new ConsistentHashBalancer(nodes, health, upstream),
            LeastConnections => new LeastConnectionsBalancer(nodes, health),
            Ewma => new EwmaBalancer(nodes, health, time, random),
            _ => throw new NotSupportedException(
                $"invalid balancer type: {type} (built in: {RoundRobin}, {ConsistentHash}, {LeastConnections}, {Ewma})"),
        };
    }
}

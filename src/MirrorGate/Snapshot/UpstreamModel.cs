using MirrorGate.Balancing;
using MirrorGate.Hosting;
using Yarp.ReverseProxy.Forwarder;

namespace MirrorGate.Snapshot;

/// <summary>How the Host header is chosen for the upstream request (APISIX's <c>pass_host</c>).</summary>
internal enum PassHostMode
{
    Pass,
    Node,
    Rewrite,
}

/// <summary>An upstream compiled into a snapshot: its balancer, its invoker and its proxy settings.</summary>
internal sealed class UpstreamModel
{
    /// <summary>Identity used to reuse balancers and invokers across snapshots when nothing changed.</summary>
    public required string Key { get; init; }

    public required string Scheme { get; init; }

    public required ILoadBalancer Balancer { get; init; }

    public required HttpMessageInvoker Invoker { get; init; }

    public PassHostMode PassHost { get; init; }

    public string? UpstreamHost { get; init; }

    /// <summary>Retries after a failed attempt; null means APISIX's default (number of nodes - 1).</summary>
    public int? Retries { get; init; }

    public TimeSpan RetryTimeout { get; init; }

    public UpstreamTimeouts Timeouts { get; init; } = UpstreamTimeouts.Default;

    /// <summary><c>scheme://host:port/</c> per node, built once so forwarding allocates no prefix strings.</summary>
    public required IReadOnlyDictionary<UpstreamNode, string> DestinationPrefixes { get; init; }

    public required ForwarderRequestConfig RequestConfig { get; init; }

    public HealthChecker? Health { get; init; }

    /// <summary>Stops health probes and, after in-flight requests had time to finish, closes the pool.</summary>
    public void Retire(TimeProvider time, TimeSpan grace)
    {
        Health?.Dispose();
        DelayedDisposal.Schedule(Invoker, grace, time);
    }
}

using System.Text.Json.Nodes;
using MirrorGate.Pipeline;

namespace MirrorGate.Snapshot;

/// <summary>A route compiled into a snapshot: service merged in, plugins compiled, upstream resolved.</summary>
internal sealed class RouteModel
{
    public required string Id { get; init; }

    /// <summary>The route's <c>service_id</c>, "" when it has none (APISIX's <c>service</c> metric label).</summary>
    public string ServiceId { get; init; } = "";

    /// <summary>The route's own <c>name</c> (never its service's, as APISIX merges them); null when it has none.</summary>
    public string? Name { get; init; }

    /// <summary>The <c>name</c> of the route's service at this snapshot; null when it has none or no service.</summary>
    public string? ServiceName { get; init; }

    /// <summary>The hosts the route matches (its own or its service's, lower-cased); null when host-less.</summary>
    public IReadOnlyList<string>? Hosts { get; init; }

    /// <summary>The merged route config (route over service) as stored JSON.</summary>
    public required JsonObject Config { get; init; }

    public required PluginChain Plugins { get; init; }

    /// <summary>Null when the route has no upstream (then the request answers 502 or 503 like APISIX).</summary>
    public UpstreamModel? Upstream { get; init; }

    public bool EnableWebsocket { get; init; }

    /// <summary>Route-level timeout overriding the upstream's.</summary>
    public UpstreamTimeouts? Timeout { get; init; }
}

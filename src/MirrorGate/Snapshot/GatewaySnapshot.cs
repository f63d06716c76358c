using MirrorGate.Consumers;
using MirrorGate.Pipeline;
using MirrorGate.Routing;

namespace MirrorGate.Snapshot;

/// <summary>
/// Everything the data plane needs, compiled from one store revision and never changed after:
/// requests read the current snapshot once and keep it until they finish.
/// </summary>
internal sealed class GatewaySnapshot(long revision, RouteIndex<RouteModel> routes, IReadOnlyDictionary<string, UpstreamModel> upstreams, IReadOnlyList<RouteModel> routeList)
{
    public static readonly GatewaySnapshot Empty = new(0, RouteIndex<RouteModel>.Build([]), new Dictionary<string, UpstreamModel>(), []);

    /// <summary>The store revision this snapshot reflects.</summary>
    public long Revision { get; } = revision;

    public RouteIndex<RouteModel> Routes { get; } = routes;

    /// <summary>Compiled upstreams by <see cref="UpstreamModel.Key"/>, reused by the next build when unchanged.</summary>
    public IReadOnlyDictionary<string, UpstreamModel> Upstreams { get; } = upstreams;

    /// <summary>The enabled routes in load order, for readers that list them (the dashboard); requests use <see cref="Routes"/>.</summary>
    public IReadOnlyList<RouteModel> RouteList { get; } = routeList;

    public int RouteCount => RouteList.Count;

    /// <summary>
    /// All global rules' plugins as one chain, run before the matched route's in every phase and for
    /// requests that match no route; null when there is none, so such requests pay one null check.
    /// </summary>
    public PluginChain? GlobalRules { get; init; }
    /// <summary>The consumers, with their credentials indexed for the auth plugins.</summary>
    public ConsumerSet Consumers { get; init; } = ConsumerSet.Empty;
}

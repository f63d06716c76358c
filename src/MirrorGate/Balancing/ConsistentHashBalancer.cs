using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Balancing;

/// <summary>
/// <c>type: chash</c>: the same key goes to the same node. Like APISIX, the ring always holds
/// every node (healthy or not) so health flips do not reshuffle keys; a key whose node is
/// unhealthy or already tried moves to the next node clockwise.
/// </summary>
internal sealed class ConsistentHashBalancer : LoadBalancerBase
{
    private readonly ChashKey _key;
    private readonly HashRing[] _rings;

    public ConsistentHashBalancer(IReadOnlyList<UpstreamNode> nodes, HealthChecker? health, JsonObject upstream)
        : base(nodes, health)
    {
        _key = ChashKey.From(upstream);
        _rings = Groups.Select(g => new HashRing(g, NodeArray)).ToArray();
    }

    protected override uint RequestHash(HttpContext context) => _key.Hash(context);

    protected override int PickInGroup(int group, int[] members, uint requestHash, in NodeFilter filter) =>
        _rings[group].Find(requestHash, in filter);
}

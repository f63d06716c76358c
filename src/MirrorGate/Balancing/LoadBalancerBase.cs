using System.Collections.Frozen;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Balancing;

/// <summary>
/// What every balancer shares: APISIX's priority balancer (highest priority group first, lower
/// groups only when nothing in the higher one can be picked), health filtering (all nodes count
/// when none is healthy) and retry exclusion. Subclasses choose within one group.
/// </summary>
internal abstract class LoadBalancerBase : ILoadBalancer
{
    private readonly UpstreamNode[] _nodes;
    private readonly FrozenDictionary<UpstreamNode, int> _indexOf;
    private readonly HealthChecker? _health;
    private readonly NodeHealthState?[] _healthStates;

    // (health version << 1) | any-pickable-node-healthy, packed so one atomic read sees a consistent pair.
    private long _healthSummary = -1;

    protected LoadBalancerBase(IReadOnlyList<UpstreamNode> nodes, HealthChecker? health)
    {
        _nodes = nodes.ToArray();
        _health = health;
        // UpstreamNode keeps reference equality: callers hand back the instance Pick returned.
        _indexOf = _nodes.Select((node, index) => (node, index)).ToFrozenDictionary(p => p.node, p => p.index);
        _healthStates = _nodes.Select(n => health?.StateOf(n)).ToArray();
        Groups = _nodes.Select((node, index) => (node, index))
            .GroupBy(p => p.node.Priority)
            .OrderByDescending(g => g.Key)
            .Select(g => g.Select(p => p.index).ToArray())
            .ToArray();
    }

    public IReadOnlyList<UpstreamNode> Nodes => _nodes;

    protected UpstreamNode[] NodeArray => _nodes;

    /// <summary>Node indexes per priority, highest priority first.</summary>
    protected int[][] Groups { get; }

    public UpstreamNode? Pick(HttpContext context, IReadOnlyCollection<UpstreamNode>? exclude)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (_nodes.Length == 0)
        {
            return null;
        }

        var healthKey = _health is null ? -1 : CurrentHealthSummary();
        var filter = new NodeFilter(_nodes, _healthStates, exclude, healthKey);
        var requestHash = RequestHash(context);
        var groups = Groups;
        for (var g = 0; g < groups.Length; g++)
        {
            var index = PickInGroup(g, groups[g], requestHash, in filter);
            if (index >= 0)
            {
                return _nodes[index];
            }
        }

        return null;
    }

    public void OnStarted(UpstreamNode node)
    {
        if (_indexOf.TryGetValue(node, out var index))
        {
            OnStarted(index);
        }
    }

    public void OnCompleted(UpstreamNode node, int statusCode, TimeSpan elapsed)
    {
        _health?.ReportPassive(node, statusCode);
        if (_indexOf.TryGetValue(node, out var index))
        {
            OnCompleted(index, statusCode, elapsed);
        }
    }

    /// <summary>Returns a node index from <paramref name="members"/> that <paramref name="filter"/> allows, or -1.</summary>
    protected abstract int PickInGroup(int group, int[] members, uint requestHash, in NodeFilter filter);

    /// <summary>Computed once per pick for balancers that hash the request (chash); others return 0.</summary>
    protected virtual uint RequestHash(HttpContext context) => 0;

    protected virtual void OnStarted(int index)
    {
    }

    protected virtual void OnCompleted(int index, int statusCode, TimeSpan elapsed)
    {
    }

    /// <summary>
    /// Health version plus whether any pickable node is healthy (if none is, health is ignored and
    /// all nodes are used, as APISIX does). Recomputed only when the checker's version moves.
    /// </summary>
    private long CurrentHealthSummary()
    {
        var version = _health!.Version;
        var summary = Volatile.Read(ref _healthSummary);
        if (summary >= 0 && summary >> 1 == version)
        {
            return summary;
        }

        var any = false;
        for (var i = 0; i < _nodes.Length && !any; i++)
        {
            any = _nodes[i].Weight > 0 && _healthStates[i]?.IsHealthy != false;
        }

        summary = ((long)version << 1) | (any ? 1L : 0L);
        Volatile.Write(ref _healthSummary, summary);
        return summary;
    }
}

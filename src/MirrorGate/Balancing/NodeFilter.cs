namespace MirrorGate.Balancing;

/// <summary>
/// The per-pick rule for which nodes may be chosen: weight above 0, healthy (unless no node is),
/// and not already tried by this request. A struct so a pick allocates nothing.
/// </summary>
internal readonly struct NodeFilter(
    UpstreamNode[] nodes,
    NodeHealthState?[] healthStates,
    IReadOnlyCollection<UpstreamNode>? exclude,
    long healthKey)
{
    private readonly bool _useHealth = healthKey >= 0 && (healthKey & 1) == 1;

    /// <summary>
    /// Identifies the health view this pick sees (-1 without a checker); it changes whenever the
    /// set of healthy nodes does, so balancers can key caches on it.
    /// </summary>
    public long HealthKey => healthKey;

    public bool HasExclusions => exclude is { Count: > 0 };

    public bool Allows(int index)
    {
        var node = nodes[index];
        if (node.Weight <= 0)
        {
            return false;
        }

        if (_useHealth && healthStates[index]?.IsHealthy == false)
        {
            return false;
        }

        return !IsExcluded(node);
    }

    /// <summary>Health alone, for balancers that cache a health-filtered view.</summary>
    public bool HealthAllows(int index) => !_useHealth || healthStates[index]?.IsHealthy != false;

    private bool IsExcluded(UpstreamNode node)
    {
        if (exclude is null || exclude.Count == 0)
        {
            return false;
        }

        if (exclude is ICollection<UpstreamNode> collection)
        {
            return collection.Contains(node);
        }

        foreach (var tried in exclude)
        {
            if (ReferenceEquals(tried, node))
            {
                return true;
            }
        }

        return false;
    }
}

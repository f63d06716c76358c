namespace MirrorGate.Balancing;

/// <summary>
/// <c>type: least_conn</c>: the node with the lowest (in-flight + 1) / weight, as APISIX scores it.
/// Ties go round-robin by starting each scan one node further along. Counts are interlocked and
/// the scan takes no lock, so two simultaneous picks may both choose the same idle node; the
/// next picks see both requests and even it out.
/// </summary>
internal sealed class LeastConnectionsBalancer : LoadBalancerBase
{
    private readonly InFlightCounters _inFlight;
    private readonly int[] _rotations;

    public LeastConnectionsBalancer(IReadOnlyList<UpstreamNode> nodes, HealthChecker? health)
        : base(nodes, health)
    {
        _inFlight = new InFlightCounters(NodeArray.Length);
        _rotations = new int[Groups.Length];
    }

    protected override int PickInGroup(int group, int[] members, uint requestHash, in NodeFilter filter)
    {
        var start = (uint)(Interlocked.Increment(ref _rotations[group]) - 1);
        var length = (uint)members.Length;
        var best = -1;
        long bestLoad = 0;
        long bestWeight = 1;
        for (uint step = 0; step < length; step++)
        {
            var index = members[(start + step) % length];
            if (!filter.Allows(index))
            {
                continue;
            }

            long load = _inFlight[index] + 1;
            long weight = NodeArray[index].Weight;
            // load / weight < bestLoad / bestWeight, without division; strict so the rotation breaks ties.
            if (best < 0 || load * bestWeight < bestLoad * weight)
            {
                best = index;
                bestLoad = load;
                bestWeight = weight;
            }
        }

        return best;
    }

    protected override void OnStarted(int index) => _inFlight.Increment(index);

    protected override void OnCompleted(int index, int statusCode, TimeSpan elapsed) => _inFlight.Decrement(index);
}

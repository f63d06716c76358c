using System.Buffers;

namespace MirrorGate.Balancing;

/// <summary>
/// <c>type: ewma</c>: APISIX's latency-aware balancer. Each node keeps an exponentially weighted
/// moving average of its response time that decays with a 10 s time constant; a pick draws two
/// distinct random candidates ("power of two choices") and takes the one with the lower
/// ewma x (in-flight + 1). Idle averages decay towards 0, so a node that was slow gets tried
/// again after a while instead of being starved forever. Weights only drain (weight 0); like
/// APISIX, ewma does not otherwise weigh nodes.
/// </summary>
internal sealed class EwmaBalancer : LoadBalancerBase
{
    /// <summary>APISIX's DECAY_TIME.</summary>
    public static readonly TimeSpan DecayTime = TimeSpan.FromSeconds(10);

    private const int StackCandidates = 64;

    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly InFlightCounters _inFlight;
    private readonly Average[] _averages;

    /// <param name="random">Must be thread-safe (Random.Shared) unless used from one thread, as in tests.</param>
    public EwmaBalancer(IReadOnlyList<UpstreamNode> nodes, HealthChecker? health, TimeProvider time, Random random)
        : base(nodes, health)
    {
        _time = time;
        _random = random;
        _inFlight = new InFlightCounters(NodeArray.Length);
        _averages = NodeArray.Select(_ => new Average()).ToArray();
    }

    protected override int PickInGroup(int group, int[] members, uint requestHash, in NodeFilter filter)
    {
        int[]? rented = null;
        var candidates = members.Length <= StackCandidates
            ? stackalloc int[StackCandidates]
            : (rented = ArrayPool<int>.Shared.Rent(members.Length));
        try
        {
            var count = 0;
            foreach (var index in members)
            {
                if (filter.Allows(index))
                {
                    candidates[count++] = index;
                }
            }

            if (count <= 1)
            {
                return count == 1 ? candidates[0] : -1;
            }

            var a = _random.Next(count);
            var b = _random.Next(count - 1);
            if (b >= a)
            {
                b++;
            }

            var now = _time.GetTimestamp();
            var first = candidates[a];
            var second = candidates[b];
            return Score(second, now) < Score(first, now) ? second : first;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The decayed average (seconds) times the requests the node would then be serving.</summary>
    internal double Score(int index, long now) => _averages[index].Read(now, _time) * (_inFlight[index] + 1);

    protected override void OnStarted(int index) => _inFlight.Increment(index);

    protected override void OnCompleted(int index, int statusCode, TimeSpan elapsed)
    {
        _inFlight.Decrement(index);
        _averages[index].Update(elapsed.TotalSeconds, _time.GetTimestamp(), _time);
    }

    /// <summary>
    /// One node's average. Updates take a tiny per-node lock (completions only, never a pick) so
    /// value and timestamp move together; reads are lock-free, and a read racing an update sees
    /// either the old or the new value with a timestamp at most one update off, which only nudges
    /// a score.
    /// </summary>
    private sealed class Average
    {
        private readonly Lock _gate = new();
        private double _value;
        private long _touchedAt;
        private bool _touched;

        public double Read(long now, TimeProvider time)
        {
            if (!Volatile.Read(ref _touched))
            {
                return 0;
            }

            var value = Volatile.Read(ref _value);
            return value * DecayWeight(Volatile.Read(ref _touchedAt), now, time);
        }

        public void Update(double rttSeconds, long now, TimeProvider time)
        {
            lock (_gate)
            {
                // First sample: weight 0 takes it as is (APISIX's decay from time 0 gives the same).
                // A sample moves the average by how long it has been since the last one, so a burst
                // of completions counts like one (APISIX's decay_ewma).
                var weight = _touched ? DecayWeight(_touchedAt, now, time) : 0;
                var value = (_value * weight) + (rttSeconds * (1 - weight));
                Volatile.Write(ref _value, value);
                Volatile.Write(ref _touchedAt, now);
                Volatile.Write(ref _touched, true);
            }
        }

        private static double DecayWeight(long since, long now, TimeProvider time)
        {
            var elapsed = now > since ? time.GetElapsedTime(since, now) : TimeSpan.Zero;
            return Math.Exp(-elapsed.TotalSeconds / DecayTime.TotalSeconds);
        }
    }
}

namespace MirrorGate.Balancing;

/// <summary>What a probe or a proxied attempt told us about a node.</summary>
internal enum HealthOutcome
{
    /// <summary>Status in neither list: counted nowhere, like lua-resty-healthcheck.</summary>
    Ignored,
    Success,
    HttpFailure,
    TcpFailure,
    Timeout,
}

/// <summary>
/// Live health of one node: healthy/unhealthy plus the counters that move it between the two.
/// Active probes and passive reports share the counters (as lua-resty-healthcheck does), each with
/// its own thresholds. Lock-free: counters are interlocked and the flip is a compare-exchange, so a
/// burst of concurrent reports flips the state once; a lost increment under a race only delays a
/// flip by one report, which a health check tolerates.
/// </summary>
internal sealed class NodeHealthState(UpstreamNode node)
{
    private int _healthy = 1;
    private int _successes;
    private int _httpFailures;
    private int _tcpFailures;
    private int _timeouts;

    public UpstreamNode Node { get; } = node;

    /// <summary>Nodes start healthy: a new upstream takes traffic until checks say otherwise.</summary>
    public bool IsHealthy => Volatile.Read(ref _healthy) == 1;

    /// <summary>When the active loop probes this node next (TimeProvider timestamp); owned by the loop.</summary>
    internal long NextProbeTimestamp { get; set; }

    /// <summary>
    /// Counts one outcome against <paramref name="threshold"/> (0 disables that counter, as in
    /// APISIX's passive schema). Returns true when this report flipped the node.
    /// </summary>
    public bool Record(HealthOutcome outcome, int threshold)
    {
        if (outcome == HealthOutcome.Ignored || threshold <= 0)
        {
            return false;
        }

        if (outcome == HealthOutcome.Success)
        {
            // A success breaks any run of failures; only an unhealthy node counts successes.
            ResetIfNonZero(ref _httpFailures);
            ResetIfNonZero(ref _tcpFailures);
            ResetIfNonZero(ref _timeouts);
            return !IsHealthy && Interlocked.Increment(ref _successes) >= threshold && TryFlip(to: true);
        }

        ResetIfNonZero(ref _successes);
        if (!IsHealthy)
        {
            return false;
        }

        var count = outcome switch
        {
            HealthOutcome.HttpFailure => Interlocked.Increment(ref _httpFailures),
            HealthOutcome.TcpFailure => Interlocked.Increment(ref _tcpFailures),
            _ => Interlocked.Increment(ref _timeouts),
        };
        return count >= threshold && TryFlip(to: false);
    }

    private bool TryFlip(bool to)
    {
        var (from, target) = to ? (0, 1) : (1, 0);
        if (Interlocked.CompareExchange(ref _healthy, target, from) != from)
        {
            return false;
        }

        // A fresh state starts counting from zero towards the next flip.
        Volatile.Write(ref _successes, 0);
        Volatile.Write(ref _httpFailures, 0);
        Volatile.Write(ref _tcpFailures, 0);
        Volatile.Write(ref _timeouts, 0);
        return true;
    }

    // Reading first keeps the common path (nothing to reset) from writing a shared cache line per request.
    private static void ResetIfNonZero(ref int counter)
    {
        if (Volatile.Read(ref counter) != 0)
        {
            Volatile.Write(ref counter, 0);
        }
    }
}

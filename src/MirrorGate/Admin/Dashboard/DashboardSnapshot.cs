namespace MirrorGate.Admin.Dashboard;

/// <summary>
/// What the dashboard shows at one moment, read from the live snapshot and the exporter's series:
/// immutable, so it is written out as JSON after the reading is done. Counters are cumulative since
/// the node started; the page computes rates by differencing two of these.
/// </summary>
internal sealed record DashboardSnapshot(DashboardNode Node, DashboardMirrorLoad Mirror, IReadOnlyList<DashboardRoute> Routes);

/// <param name="ConfigRevision">The store revision the live routes were compiled from.</param>
internal sealed record DashboardNode(string Version, string NodeId, string Hostname, DateTimeOffset StartedAt, DateTimeOffset Time, long ConfigRevision)
{
    public double UptimeSeconds => Math.Max(0, (Time - StartedAt).TotalSeconds);
}

/// <summary>The node-wide mirror load: copies queued and in flight across every route, as the gauges report them.</summary>
internal sealed record DashboardMirrorLoad(int QueueDepth, int QueueSize, int InFlight, long BufferedBytes, long MaxBufferedBytes);

/// <param name="Mirror">The route's proxy-mirror targets; null when the route does not mirror.</param>
internal sealed record DashboardRoute(
    string Id,
    string? Name,
    IReadOnlyList<string> Uris,
    IReadOnlyList<string>? Hosts,
    IReadOnlyList<string>? Methods,
    DashboardUpstream? Upstream,
    IReadOnlyList<DashboardMirrorTarget>? Mirror);

/// <param name="Id">The <c>upstream_id</c> the route (or its service) names; null for an inline upstream.</param>
/// <param name="ServiceId">The route's service, when the upstream comes from it.</param>
/// <param name="HealthChecked">Whether the upstream has health checks; without them every node shows <c>unchecked</c>.</param>
internal sealed record DashboardUpstream(string? Id, string? ServiceId, string Scheme, bool HealthChecked, IReadOnlyList<DashboardUpstreamNode> Nodes);

/// <param name="Health"><see cref="DashboardHealth"/>: healthy, unhealthy or unchecked.</param>
internal sealed record DashboardUpstreamNode(string Address, int Weight, int Priority, string Health);

internal static class DashboardHealth
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Unchecked = "unchecked";
}

/// <summary>One target of a route's proxy-mirror: its settings, its live state and its counters.</summary>
/// <param name="QueueSize">The target's own budget (<c>queue_size</c>); null when only the node's queue bounds it.</param>
/// <param name="Held">Copies of this target held now (queued, being written or awaiting the answer); null without <c>queue_size</c>.</param>
/// <param name="CircuitOpen">The mirror host's circuit (connect refusals, shared by every route mirroring to that host) is open.</param>
/// <param name="KillSwitch">off (no <c>max_failure_ratio</c>), closed or open.</param>
internal sealed record DashboardMirrorTarget(
    string Name,
    string Host,
    double SampleRatio,
    string? SampleKey,
    bool Compare,
    int? QueueSize,
    int? Held,
    bool CircuitOpen,
    string KillSwitch,
    DashboardMirrorCounters Counters,
    DashboardLatency Latency);

/// <summary>The outcome counters of one route and target: sampled = sent + failed + dropped once everything settled.</summary>
internal sealed record DashboardMirrorCounters(
    long Sampled,
    IReadOnlyDictionary<string, long> SentByStatusClass,
    IReadOnlyDictionary<string, long> FailedByReason,
    IReadOnlyDictionary<string, long> DroppedByReason)
{
    // Declared before Zero: static fields are initialized in the order they are written.
    private static readonly IReadOnlyDictionary<string, long> None = new SortedDictionary<string, long>(StringComparer.Ordinal);

    public static readonly DashboardMirrorCounters Zero = new(0, None, None, None);

    public long Sent => SentByStatusClass.Values.Sum();

    public long Failed => FailedByReason.Values.Sum();

    public long Dropped => DroppedByReason.Values.Sum();

    /// <summary>
    /// Sampled copies not settled yet: waiting for the request body, queued, being written or
    /// awaiting the answer. Per target without counting anything more on the request path; the
    /// counters are read one after another, so a copy settling meanwhile is clamped away.
    /// </summary>
    public long Pending => Math.Max(0, Sampled - Sent - Failed - Dropped);
}

/// <summary>
/// The mirror duration histogram of one route and target (seconds, from sending a copy to its
/// answer or failure): the cumulative bucket counts, so the page can take percentiles over a
/// window, and the percentiles since start.
/// </summary>
/// <param name="Bounds">Bucket upper bounds in seconds; <paramref name="Cumulative"/> has one more entry, for +Inf.</param>
internal sealed record DashboardLatency(long Count, double SumSeconds, IReadOnlyList<double> Bounds, IReadOnlyList<long> Cumulative)
{
    public static readonly DashboardLatency Empty = new(0, 0, [], [0]);

    public double? P50 => HistogramQuantile.Estimate(0.50, Bounds, Cumulative);

    public double? P90 => HistogramQuantile.Estimate(0.90, Bounds, Cumulative);

    public double? P99 => HistogramQuantile.Estimate(0.99, Bounds, Cumulative);
}

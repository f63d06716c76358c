using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MirrorGate.Balancing;

/// <summary>
/// Health of one upstream's nodes (APISIX's <c>checks</c>): active probes on a background loop,
/// passive counting of proxied outcomes. Built per upstream version; dispose it when the upstream
/// changes or goes away (that stops the probes). Reads are lock-free.
/// </summary>
internal sealed partial class HealthChecker : IDisposable
{
    private readonly NodeHealthState[] _states;
    private readonly FrozenDictionary<string, NodeHealthState> _byAuthority;
    private readonly HealthCheckSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ActiveHealthProber? _prober;
    private int _healthyCount;
    private int _version;

    private HealthChecker(IReadOnlyList<UpstreamNode> nodes, HealthCheckSettings settings, TimeProvider time, ILogger logger)
    {
        Nodes = nodes;
        _settings = settings;
        _time = time;
        _logger = logger;
        // Health is per address (APISIX keys it by host:port), so a node listed twice shares one state.
        _states = nodes.DistinctBy(n => n.Authority).Select(n => new NodeHealthState(n)).ToArray();
        _byAuthority = _states.ToFrozenDictionary(s => s.Node.Authority, StringComparer.Ordinal);
        _healthyCount = _states.Length;
        if (settings.Active is { } active)
        {
            _prober = new ActiveHealthProber(active, time);
            Completion = Task.Run(() => RunActiveAsync(active, _stopping.Token));
        }
    }

    /// <summary>
    /// Builds and starts the checker for <paramref name="upstream"/>, or returns null when it has no
    /// <c>checks</c> (every node then counts as healthy).
    /// </summary>
    public static HealthChecker? Create(JsonObject upstream, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var settings = HealthCheckSettings.From(upstream);
        return settings is null
            ? null
            : new HealthChecker(UpstreamNodes.Parse(upstream), settings, time ?? TimeProvider.System, logger ?? NullLogger.Instance);
    }

    public IReadOnlyList<UpstreamNode> Nodes { get; }

    /// <summary>Number of distinct node addresses currently healthy.</summary>
    public int HealthyCount => Volatile.Read(ref _healthyCount);

    /// <summary>Bumped on every flip, so balancers can cache what depends on health.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>The active loop; completes after <see cref="Dispose"/>. Completed when there is no <c>checks.active</c>.</summary>
    public Task Completion { get; } = Task.CompletedTask;

    /// <summary>Unknown nodes (not in this upstream) count as healthy.</summary>
    public bool IsHealthy(UpstreamNode node) => StateOf(node)?.IsHealthy ?? true;

    internal NodeHealthState? StateOf(UpstreamNode node) => _byAuthority.GetValueOrDefault(node.Authority);

    /// <summary>
    /// Passive check: counts the outcome of a proxied attempt (status, 0 = connection failed,
    /// -1 = timeout). Ignored when <c>checks.passive</c> is absent, as in APISIX.
    /// </summary>
    public void ReportPassive(UpstreamNode node, int statusCode)
    {
        if (_settings.Passive is not { } passive || StateOf(node) is not { } state)
        {
            return;
        }

        var outcome = passive.Classify(statusCode);
        Record(state, outcome, passive.ThresholdFor(outcome), "passive");
    }

    private void Record(NodeHealthState state, HealthOutcome outcome, int threshold, string source)
    {
        if (!state.Record(outcome, threshold))
        {
            return;
        }

        var healthy = state.IsHealthy;
        Interlocked.Add(ref _healthyCount, healthy ? 1 : -1);
        Interlocked.Increment(ref _version);
        if (healthy)
        {
            Log.NodeHealthy(_logger, state.Node.Authority, source);
        }
        else
        {
            Log.NodeUnhealthy(_logger, state.Node.Authority, source, outcome);
        }
    }

    /// <summary>
    /// Probes each node when it is due (healthy and unhealthy nodes have their own intervals),
    /// at most <c>concurrency</c> at a time, then sleeps until the next one is due.
    /// </summary>
    private async Task RunActiveAsync(ActiveHealthCheckSettings active, CancellationToken stopping)
    {
        var due = new List<NodeHealthState>(_states.Length);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = active.Concurrency, CancellationToken = stopping };
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var now = _time.GetTimestamp();
                due.Clear();
                due.AddRange(_states.Where(s => s.NextProbeTimestamp <= now));
                await Parallel.ForEachAsync(due, parallel, async (state, ct) =>
                {
                    var outcome = await _prober!.ProbeAsync(state.Node, ct).ConfigureAwait(false);
                    Record(state, outcome, active.ThresholdFor(outcome), "active");
                    var interval = state.IsHealthy ? active.HealthyInterval : active.UnhealthyInterval;
                    state.NextProbeTimestamp = _time.GetTimestamp() + (long)(interval.TotalSeconds * _time.TimestampFrequency);
                }).ConfigureAwait(false);

                var next = _states.Length == 0 ? long.MaxValue : _states.Min(s => s.NextProbeTimestamp);
                var delay = next == long.MaxValue
                    ? active.HealthyInterval
                    : _time.GetElapsedTime(_time.GetTimestamp(), Math.Max(next, _time.GetTimestamp()));
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (ObjectDisposedException) when (stopping.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        // The loop may be mid-probe; it sees the cancellation and ends on its own. The prober's
        // pool is released once the loop has finished with it.
        Completion.ContinueWith(static (_, prober) => ((IDisposable?)prober)?.Dispose(), _prober, TaskScheduler.Default);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Upstream node {Node} marked unhealthy by {Source} check ({Outcome}).")]
        public static partial void NodeUnhealthy(ILogger logger, string node, string source, HealthOutcome outcome);

        [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Upstream node {Node} marked healthy by {Source} check.")]
        public static partial void NodeHealthy(ILogger logger, string node, string source);
    }
}

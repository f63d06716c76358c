using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Stores;

namespace MirrorGate.Snapshot;

/// <summary>
/// Keeps the live snapshot in step with the store: the first build happens at start-up and fails
/// fast; afterwards each change signal (bursts coalesce into one rebuild) loads the store and
/// swaps in a new snapshot. A failed rebuild keeps the last good snapshot and is retried.
/// </summary>
internal sealed partial class SnapshotRefresher(
    IConfigStore store,
    SnapshotBuilder builder,
    SnapshotHolder holder,
    TimeProvider time,
    ILogger<SnapshotRefresher> logger,
    CompareResults? compareResults = null) : BackgroundService
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Builds and publishes the first snapshot; called before the node starts listening.</summary>
    public async Task LoadInitialAsync(CancellationToken cancellationToken)
    {
        store.Changed += OnChanged;
        await RebuildAsync(cancellationToken).ConfigureAwait(false);
    }

    private void OnChanged() => _signals.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _signals.Reader;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reader.ReadAsync(stoppingToken).ConfigureAwait(false);
                await RebuildAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogRebuildFailed(ex);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                OnChanged();
            }
        }
    }

    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var contents = await store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        var previous = holder.Current;
        if (contents.Revision == previous.Revision && previous.Revision != 0)
        {
            return;
        }

        var next = builder.Build(contents, previous);
        holder.Publish(next);

        // Mismatches of targets that stopped comparing (their route deleted or its compare block
        // removed) are let go; the rings of the others stay.
        compareResults?.Retain(builder.Compares);

        // Upstreams the new snapshot no longer uses: stop their probes now, close their pools once
        // requests still running on the old snapshot have had time to finish.
        foreach (var (key, upstream) in previous.Upstreams)
        {
            if (!next.Upstreams.ContainsKey(key))
            {
                upstream.Retire(time, TimeSpan.FromMinutes(2));
            }
        }

        LogPublished(next.Revision, next.RouteCount, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    public override void Dispose()
    {
        store.Changed -= OnChanged;
        base.Dispose();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Published snapshot at revision {Revision} with {RouteCount} routes in {ElapsedMs:F1} ms")]
    private partial void LogPublished(long revision, int routeCount, double elapsedMs);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Rebuilding the configuration snapshot failed; the last good one stays live")]
    private partial void LogRebuildFailed(Exception ex);
}

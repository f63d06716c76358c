using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using MirrorGate.Stores;

namespace MirrorGate.Etcd;

/// <summary>
/// One long-lived watch on the whole prefix, as APISIX's data plane keeps: every change to a
/// resource key raises the store's Changed. When the watch cannot go on (etcd compacted past it,
/// the connection was lost, etcd canceled it, any error) it reconnects with back-off and resyncs
/// in full: it reads the current revision, raises Changed (so the snapshot is rebuilt from a fresh
/// full read) and watches again from the revision after it, so nothing written meanwhile is missed.
/// </summary>
/// <remarks>
/// APISIX re-arms an HTTP long poll every <c>watch_timeout</c>; a gRPC watch stream stays open
/// instead, and a connection that silently died is found by the channel's HTTP/2 keep-alive pings
/// (30 s idle, 30 s to answer), so <c>watch_timeout</c> is read but not needed here.
/// </remarks>
internal sealed partial class EtcdWatcher(
    Watch.WatchClient client,
    EtcdKeyLayout layout,
    Func<CancellationToken, Task<long>> readRevision,
    Action changed,
    string location,
    ILogger<EtcdWatcher> logger) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private volatile bool _reachable = true;

    /// <summary>False from the moment the watch was lost until etcd answered again (APISIX's <c>apisix_etcd_reachable</c>).</summary>
    public bool Reachable => _reachable;

    /// <summary>Starts watching from <paramref name="fromRevision"/> (the revision after the first full read).</summary>
    public void Start(long fromRevision) => _loop = Task.Run(() => RunAsync(fromRevision, _stop.Token));

    private async Task RunAsync(long fromRevision, CancellationToken stop)
    {
        var backoff = new Backoff();
        var lost = false;
        while (!stop.IsCancellationRequested)
        {
            WatchEnd end;
            try
            {
                end = await WatchAsync(fromRevision, backoff, stop).ConfigureAwait(false);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException ex)
            {
                end = new WatchEnd(false, EtcdConfigStore.Describe(ex));
            }
            catch (Exception ex)
            {
                end = new WatchEnd(false, $"{ex.GetType().Name}: {ex.Message}");
            }

            if (end.Compacted)
            {
                LogCompacted(logger, location, end.Reason);
            }
            else if (!lost)
            {
                lost = true;
                _reachable = false;
                LogLost(logger, location, end.Reason);
            }

            // Resync: wait (with back-off) until etcd answers, then rebuild from a full read.
            long revision;
            while (true)
            {
                try
                {
                    await Task.Delay(backoff.Next(), stop).ConfigureAwait(false);
                    revision = await readRevision(stop).ConfigureAwait(false);
                    break;
                }
                catch (Exception) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (StoreUnavailableException ex)
                {
                    _reachable = false;
                    if (!lost)
                    {
                        lost = true;
                        LogLost(logger, location, ex.Message);
                    }
                }
            }

            _reachable = true;
            if (lost)
            {
                lost = false;
                LogResumed(logger, location, revision);
            }

            changed();
            fromRevision = revision + 1;
        }
    }

    /// <summary>Runs one watch stream until it ends; returns why it ended.</summary>
    private async Task<WatchEnd> WatchAsync(long fromRevision, Backoff backoff, CancellationToken stop)
    {
        using var call = client.Watch(cancellationToken: stop);
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest
            {
                Key = ByteString.CopyFromUtf8(layout.Directory),
                RangeEnd = EtcdKeyLayout.RangeEnd(layout.Directory),
                StartRevision = fromRevision,
            },
        }, stop).ConfigureAwait(false);

        await foreach (var response in call.ResponseStream.ReadAllAsync(stop).ConfigureAwait(false))
        {
            if (response.CompactRevision != 0)
            {
                return new WatchEnd(true, $"revision {fromRevision} was compacted (compact revision {response.CompactRevision})");
            }

            if (response.Canceled)
            {
                return new WatchEnd(false, $"etcd canceled the watch: {response.CancelReason}");
            }

            if (response.Created)
            {
                // Only a watch etcd accepted resets the back-off, so a watch refused at once is not retried in a tight loop.
                backoff.Reset();
                continue;
            }

            foreach (var e in response.Events)
            {
                if (e.Kv is not null && layout.Classify(e.Kv.Key.ToStringUtf8(), out _, out _) != KeyClass.Foreign)
                {
                    // gen_id bumps and keys of other kinds do not change what the gateway serves.
                    changed();
                    break;
                }
            }
        }

        return new WatchEnd(false, "etcd closed the watch stream");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private readonly record struct WatchEnd(bool Compacted, string Reason);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning, Message = "Lost the watch on etcd at {Location}: {Reason}; the gateway keeps serving its last configuration and reconnects with back-off")]
    private static partial void LogLost(ILogger logger, string location, string reason);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Watch on etcd at {Location} resumed at revision {Revision}; resyncing the configuration in full")]
    private static partial void LogResumed(ILogger logger, string location, long revision);

    [LoggerMessage(EventId = 2113, Level = LogLevel.Warning, Message = "Watch on etcd at {Location} fell behind a compaction: {Reason}; resyncing the configuration in full")]
    private static partial void LogCompacted(ILogger logger, string location, string reason);
}

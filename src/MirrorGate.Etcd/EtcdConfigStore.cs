using System.Collections.Concurrent;
using System.Globalization;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.Etcd;

/// <summary>
/// The cluster store: resources live in etcd under APISIX's layout, so every node (and APISIX
/// itself) reading the same prefix sees the same configuration. Revisions are etcd's: an item's
/// createdIndex/modifiedIndex are its create/mod revisions, a read's revision is the header
/// revision of the range read.
/// </summary>
/// <remarks>
/// After the first full read, one watch on the prefix raises <see cref="Changed"/> for writes from
/// any node; see <see cref="EtcdWatcher"/> for how outages and compactions are handled.
/// </remarks>
internal sealed partial class EtcdConfigStore : IConfigStore, MirrorGate.Observability.Apisix.IConfigServerReachability
{
    private readonly EtcdConfig _config;
    private readonly EtcdClientSettings _settings;
    private readonly EtcdClient _client;
    private readonly KV.KVClient _kv;
    private readonly EtcdKeyLayout _layout;
    private readonly ILogger _logger;
    private readonly EtcdWatcher _watcher;
    // Keys already reported as skipped, with the mod revision reported: one error line per bad value, not per reload.
    private readonly ConcurrentDictionary<string, long> _reportedSkips = new(StringComparer.Ordinal);
    private int _watchStarted;
    private int _disposed;

    public EtcdConfigStore(EtcdConfig config, ILogger<EtcdConfigStore> logger, ILogger<EtcdWatcher> watcherLogger)
    {
        _config = config;
        _settings = EtcdClientSettings.From(config);
        _layout = new EtcdKeyLayout(config.Prefix);
        _logger = logger;
        _client = _settings.CreateClient();
        var connection = _client.GetConnection();
        _kv = connection.KVClient;
        Location = $"{_settings.EndpointList} (prefix {_layout.Directory})";
        _watcher = new EtcdWatcher(connection.WatchClient, _layout, ReadRevisionAsync, RaiseChanged, Location, watcherLogger);
    }

    public string Name => "etcd";

    /// <inheritdoc/>
    public bool IsReachable => _watcher.Reachable;

    public string Location { get; }

    /// <summary>The settings the gRPC client was built with (endpoints, TLS, user).</summary>
    public EtcdClientSettings ClientSettings => _settings;

    public event Action? Changed;

    /// <summary>
    /// Waits until etcd answers. startup_retry counts retries after the first attempt, each allowed
    /// one timeout; start-up keeps trying with back-off for that long in all, logging why each time,
    /// then fails with a message naming the endpoints.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var attempts = _config.StartupRetry + 1;
        var budget = _config.Timeout * attempts;
        var started = DateTime.UtcNow;
        var backoff = new Backoff();
        for (var attempt = 1; ; attempt++)
        {
            var remaining = started + budget - DateTime.UtcNow;
            try
            {
                await ReadRevisionAsync(Min(_config.Timeout, remaining), cancellationToken).ConfigureAwait(false);
                if (attempt > 1)
                {
                    LogReachedAfterRetries(_logger, Location, attempt);
                }

                return;
            }
            catch (StoreUnavailableException ex)
            {
                // Wrong credentials or a refused request will not heal by waiting.
                var permanent = ex.InnerException is RpcException { StatusCode: StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.InvalidArgument };
                var left = started + budget - DateTime.UtcNow;
                if (permanent)
                {
                    throw new StoreUnavailableException($"etcd at {_settings.EndpointList} rejected the gateway: {Reason(ex)} (check deployment.etcd.user and password)", ex);
                }

                if (left <= TimeSpan.Zero)
                {
                    throw new StoreUnavailableException(string.Create(CultureInfo.InvariantCulture,
                        $"cannot reach etcd at {_settings.EndpointList} (gave up after {attempt} attempt(s) in {(DateTime.UtcNow - started).TotalSeconds:F1} s; deployment.etcd.timeout {_config.Timeout.TotalSeconds:F0} s, startup_retry {_config.StartupRetry}): {Reason(ex)}"), ex);
                }

                var delay = Min(backoff.Next(), left);
                LogStartupRetry(_logger, Location, attempt, Reason(ex), delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<StoreContents> LoadAllAsync(CancellationToken cancellationToken)
    {
        var response = await RangeAsync("load everything", _layout.Directory, prefix: true, cancellationToken).ConfigureAwait(false);
        var items = new List<StoredResource>(response.Kvs.Count);
        foreach (var kv in response.Kvs)
        {
            if (ToResource(kv) is { } item)
            {
                items.Add(item);
            }
        }

        var revision = response.Header.Revision;
        // The watch starts from the first full read, so no write after it can be missed.
        StartWatching(revision + 1);
        return new StoreContents(revision, items);
    }

    /// <summary>
    /// Starts the watch from <paramref name="fromRevision"/> unless it runs already. The first full
    /// read calls it; tests call it with an old revision to play a watch that starts after a
    /// compaction passed it.
    /// </summary>
    internal void StartWatching(long fromRevision)
    {
        if (Interlocked.Exchange(ref _watchStarted, 1) == 0)
        {
            _watcher.Start(fromRevision);
        }
    }

    public async Task<IReadOnlyList<StoredResource>> ListAsync(ResourceKind kind, CancellationToken cancellationToken)
    {
        var response = await RangeAsync($"list {kind.Plural()}", _layout.KindDirectory(kind), prefix: true, cancellationToken).ConfigureAwait(false);
        var items = new List<StoredResource>(response.Kvs.Count);
        foreach (var kv in response.Kvs)
        {
            if (ToResource(kv) is { } item && item.Kind == kind)
            {
                items.Add(item);
            }
        }

        return items;
    }

    public async Task<StoredResource?> GetAsync(ResourceKind kind, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var response = await RangeAsync($"get {kind.Plural()}/{id}", _layout.Key(kind, id), prefix: false, cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToResource(response.Kvs[0]);
    }

    public async Task<StoreWriteResult> PutAsync(ResourceKind kind, string id, string json, long? expectedModifiedIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(json);
        var key = ByteString.CopyFromUtf8(_layout.Key(kind, id));
        var value = ByteString.CopyFromUtf8(json);
        var operation = $"put {kind.Plural()}/{id}";
        StoreWriteResult result;
        if (expectedModifiedIndex is { } expected)
        {
            // PATCH: write only if nobody wrote the key since it was read; on a lost race read what is there, for the message.
            var request = new TxnRequest
            {
                Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = expected } },
                Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = value, PrevKv = true } } },
                Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } } },
            };
            var response = await CallAsync(operation, (deadline, ct) => _kv.TxnAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken).ConfigureAwait(false);
            if (!response.Succeeded)
            {
                var found = response.Responses.Count > 0 && response.Responses[0].ResponseRange?.Kvs.Count > 0
                    ? response.Responses[0].ResponseRange.Kvs[0]
                    : null;
                throw new StoreConflictException(found is null
                    ? $"{kind.Plural()}/{id} was deleted before it could be overwritten (expected revision {expected})"
                    : $"{kind.Plural()}/{id} changed before it could be overwritten (expected revision {expected}, found {found.ModRevision})");
            }

            var revision = response.Header.Revision;
            var previous = response.Responses[0].ResponsePut?.PrevKv;
            result = new StoreWriteResult(previous is null, previous?.CreateRevision ?? revision, revision);
        }
        else
        {
            var request = new PutRequest { Key = key, Value = value, PrevKv = true };
            var response = await CallAsync(operation, (deadline, ct) => _kv.PutAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken).ConfigureAwait(false);
            var revision = response.Header.Revision;
            result = new StoreWriteResult(response.PrevKv is null, response.PrevKv?.CreateRevision ?? revision, revision);
        }

        // The watch reports this write too; raising now spares this node the round trip.
        RaiseChanged();
        return result;
    }

    public async Task<long?> DeleteAsync(ResourceKind kind, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var request = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(_layout.Key(kind, id)), PrevKv = true };
        var response = await CallAsync($"delete {kind.Plural()}/{id}", (deadline, ct) => _kv.DeleteRangeAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken).ConfigureAwait(false);
        if (response.Deleted == 0)
        {
            // etcd does not move the revision for a delete that removed nothing.
            return null;
        }

        RaiseChanged();
        return response.Header.Revision;
    }

    /// <summary>As APISIX: a put to <c>&lt;prefix&gt;/gen_id</c>, whose revision is the new id (unique across nodes).</summary>
    public async Task<long> NextIdAsync(CancellationToken cancellationToken)
    {
        var request = new PutRequest { Key = ByteString.CopyFromUtf8(_layout.GenIdKey), Value = ByteString.CopyFromUtf8("1") };
        var response = await CallAsync("mint an id", (deadline, ct) => _kv.PutAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _watcher.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }

    /// <summary>The current revision of the whole keyspace (a one-key count-only read of the prefix).</summary>
    private async Task<long> ReadRevisionAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var request = new RangeRequest { Key = ByteString.CopyFromUtf8(_layout.Directory), RangeEnd = EtcdKeyLayout.RangeEnd(_layout.Directory), CountOnly = true };
        var response = await CallAsync("read the revision", (deadline, ct) => _kv.RangeAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync, timeout, cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    private Task<long> ReadRevisionAsync(CancellationToken cancellationToken) => ReadRevisionAsync(_config.Timeout, cancellationToken);

    private Task<RangeResponse> RangeAsync(string operation, string key, bool prefix, CancellationToken cancellationToken)
    {
        var request = new RangeRequest { Key = ByteString.CopyFromUtf8(key) };
        if (prefix)
        {
            request.RangeEnd = EtcdKeyLayout.RangeEnd(key);
        }

        return CallAsync(operation, (deadline, ct) => _kv.RangeAsync(request, deadline: deadline, cancellationToken: ct).ResponseAsync, cancellationToken);
    }

    private Task<T> CallAsync<T>(string operation, Func<DateTime, CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        CallAsync(operation, call, _config.Timeout, cancellationToken);

    /// <summary>Runs one etcd call with deadline.timeout; any failure to get an answer becomes <see cref="StoreUnavailableException"/>.</summary>
    private async Task<T> CallAsync<T>(string operation, Func<DateTime, CancellationToken, Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        try
        {
            return await call(DateTime.UtcNow + timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException($"etcd at {_settings.EndpointList}: {operation} failed: {Describe(ex)}", ex);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StoreUnavailableException(string.Create(CultureInfo.InvariantCulture,
                $"etcd at {_settings.EndpointList}: {operation} failed: no answer within {timeout.TotalSeconds:F1} s"), ex);
        }
        catch (HttpRequestException ex)
        {
            throw new StoreUnavailableException($"etcd at {_settings.EndpointList}: {operation} failed: {ex.Message}", ex);
        }
    }

    /// <summary>A gRPC failure in an operator's words: what etcd said, or why the connection failed.</summary>
    internal static string Describe(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.DeadlineExceeded => "no answer within deployment.etcd.timeout",
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => $"etcd refused the credentials ({ex.Status.Detail})",
        StatusCode.InvalidArgument when ex.Status.Detail.Contains("authentication failed", StringComparison.Ordinal) => $"etcd refused the credentials ({ex.Status.Detail})",
        // "Error connecting to subchannel." alone hides the cause (connection refused, TLS, DNS...).
        StatusCode.Unavailable when Innermost(ex.Status.DebugException) is { } cause => $"Unavailable: {ex.Status.Detail} ({cause.Message})",
        _ => $"{ex.StatusCode}: {ex.Status.Detail}",
    };

    private static Exception? Innermost(Exception? ex)
    {
        while (ex?.InnerException is { } inner)
        {
            ex = inner;
        }

        return ex;
    }

    private static string Reason(StoreUnavailableException ex) => ex.InnerException is RpcException rpc ? Describe(rpc) : ex.Message;

    /// <summary>The smaller of two timeouts, at least 1 ms (a deadline already past would not even try).</summary>
    private static TimeSpan Min(TimeSpan a, TimeSpan b) => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, Math.Min(a.Ticks, b.Ticks)));

    /// <summary>One key of the range read as a resource, or null (with an error line, once) when it is not a usable item.</summary>
    private StoredResource? ToResource(Mvccpb.KeyValue kv)
    {
        var key = kv.Key.ToStringUtf8();
        switch (_layout.Classify(key, out var kind, out var id))
        {
            case KeyClass.Foreign:
                return null;
            case KeyClass.MalformedItem:
                ReportSkipped(key, kv.ModRevision, id.Length == 0
                    ? $"the key has no id (value {Preview(kv.Value)})"
                    : "the id contains a slash");
                return null;
        }

        if (!JsonObjectCheck.IsObject(kv.Value.Span, out var problem))
        {
            ReportSkipped(key, kv.ModRevision, $"{problem} (value {Preview(kv.Value)})");
            return null;
        }

        return new StoredResource(kind, id, kv.Value.ToStringUtf8(), kv.CreateRevision, kv.ModRevision);
    }

    private void ReportSkipped(string key, long modRevision, string why)
    {
        if (_reportedSkips.TryGetValue(key, out var reported) && reported == modRevision)
        {
            return;
        }

        _reportedSkips[key] = modRevision;
        LogSkippedKey(_logger, key, modRevision, why);
    }

    private static string Preview(ByteString value)
    {
        var text = value.ToStringUtf8();
        return text.Length <= 60 ? $"\"{text}\"" : $"\"{text[..60]}...\" ({value.Length} bytes)";
    }

    private void RaiseChanged() => StoreChangeNotifier.Raise(Changed, ex => LogChangedHandlerFailed(_logger, ex));

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "etcd key {Key} (mod revision {ModRevision}) skipped: {Why}")]
    private static partial void LogSkippedKey(ILogger logger, string key, long modRevision, string why);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "etcd at {Location} not reachable yet (attempt {Attempt}): {Reason}; retrying in {DelayMs:F0} ms")]
    private static partial void LogStartupRetry(ILogger logger, string location, int attempt, string reason, double delayMs);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "etcd at {Location} answered on attempt {Attempt}")]
    private static partial void LogReachedAfterRetries(ILogger logger, string location, int attempt);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Error, Message = "A handler of the store's Changed event threw; the write itself was committed.")]
    private static partial void LogChangedHandlerFailed(ILogger logger, Exception exception);
}

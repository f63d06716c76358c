using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Resources;

namespace MirrorGate.Stores;

/// <summary>
/// The embedded store: one SQLite file holding every resource and one revision counter that
/// plays etcd's role (created/modified indexes, POST ids).
/// </summary>
/// <remarks>
/// Durability: WAL journal with <c>synchronous=FULL</c>, so the WAL is fsynced at each commit and a
/// write that returned survives a kill -9 or power loss. All writes go through one connection
/// behind a semaphore, so revisions are handed out in commit order without relying on SQLite's
/// busy handling; reads open their own (pooled) connections and see a consistent snapshot thanks
/// to WAL, so they never wait for a writer.
/// </remarks>
internal sealed partial class SqliteConfigStore : IConfigStore
{
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ILogger _logger;
    private SqliteConnection? _writer;
    private bool _disposed;

    /// <param name="databasePath">The database file; relative paths resolve against the working directory. Its directory is created.</param>
    /// <param name="logger">Receives errors thrown by <see cref="Changed"/> handlers (a committed write is never failed by them).</param>
    public SqliteConfigStore(string databasePath, ILogger<SqliteConfigStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        Location = Path.GetFullPath(databasePath);
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = Location,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Seconds Microsoft.Data.Sqlite keeps retrying on SQLITE_BUSY (another process on the same file).
            DefaultTimeout = 30,
        };
        // The writer is one long-lived connection; pooling it would only hide it from Dispose.
        builder.Pooling = false;
        _writeConnectionString = builder.ToString();
        builder.Pooling = true;
        builder.Mode = SqliteOpenMode.ReadOnly;
        _readConnectionString = builder.ToString();
    }

    public string Name => "sqlite";

    public string Location { get; }

    public event Action? Changed;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_writer is not null)
            {
                return;
            }

            var directory = Path.GetDirectoryName(Location);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            var connection = new SqliteConnection(_writeConnectionString);
            try
            {
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await SqliteSchema.ApplyAsync(connection, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            _writer = connection;
        }
        catch (SqliteException ex)
        {
            throw Unavailable("open", ex);
        }
        catch (IOException ex)
        {
            throw new StoreUnavailableException($"sqlite store at {Location}: cannot create its directory: {ex.Message}", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StoreUnavailableException($"sqlite store at {Location}: cannot create its directory: {ex.Message}", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<StoreContents> LoadAllAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            // One read transaction: the revision and the rows come from the same WAL snapshot.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var revision = await SqliteSchema.ReadRevisionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT kind, id, json, create_rev, mod_rev FROM resources ORDER BY kind, id";
            var items = new List<StoredResource>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    // Rows of kinds this build does not know (a newer version wrote them) are left alone.
                    if (ResourceKinds.TryParseStored(reader.GetString(0), out var kind))
                    {
                        items.Add(new StoredResource(kind, reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
                    }
                }
            }

            return new StoreContents(revision, items);
        }
        catch (SqliteException ex)
        {
            throw Unavailable("load", ex);
        }
    }

    public async Task<IReadOnlyList<StoredResource>> ListAsync(ResourceKind kind, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            // BINARY collation compares UTF-8 bytes, which is etcd's key order.
            command.CommandText = "SELECT id, json, create_rev, mod_rev FROM resources WHERE kind = $kind ORDER BY id";
            command.Parameters.AddWithValue("$kind", kind.Plural());
            var items = new List<StoredResource>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(new StoredResource(kind, reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3)));
            }

            return items;
        }
        catch (SqliteException ex)
        {
            throw Unavailable($"list {kind.Plural()}", ex);
        }
    }

    public async Task<StoredResource?> GetAsync(ResourceKind kind, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        try
        {
            await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT json, create_rev, mod_rev FROM resources WHERE kind = $kind AND id = $id";
            command.Parameters.AddWithValue("$kind", kind.Plural());
            command.Parameters.AddWithValue("$id", id);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                ? new StoredResource(kind, id, reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2))
                : null;
        }
        catch (SqliteException ex)
        {
            throw Unavailable($"get {kind.Plural()}/{id}", ex);
        }
    }

    public async Task<StoreWriteResult> PutAsync(ResourceKind kind, string id, string json, long? expectedModifiedIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(json);
        var result = await WriteAsync($"put {kind.Plural()}/{id}", async (connection, transaction) =>
        {
            var existing = await ReadIndexesAsync(connection, transaction, kind, id, cancellationToken).ConfigureAwait(false);
            if (expectedModifiedIndex is { } expected && existing?.ModifiedIndex != expected)
            {
                // Thrown before any change; the transaction is rolled back by WriteAsync.
                throw new StoreConflictException(existing is null
                    ? $"{kind.Plural()}/{id} was deleted before it could be overwritten (expected revision {expected})"
                    : $"{kind.Plural()}/{id} changed before it could be overwritten (expected revision {expected}, found {existing.Value.ModifiedIndex})");
            }

            var revision = await SqliteSchema.BumpRevisionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            var createdIndex = existing?.CreatedIndex ?? revision;

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO resources (kind, id, json, create_rev, mod_rev) VALUES ($kind, $id, $json, $create, $mod)
                ON CONFLICT (kind, id) DO UPDATE SET json = excluded.json, mod_rev = excluded.mod_rev
                """;
            command.Parameters.AddWithValue("$kind", kind.Plural());
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$json", json);
            command.Parameters.AddWithValue("$create", createdIndex);
            command.Parameters.AddWithValue("$mod", revision);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

            return (Commit: true, Value: new StoreWriteResult(existing is null, createdIndex, revision));
        }, cancellationToken).ConfigureAwait(false);

        RaiseChanged();
        return result;
    }

    public async Task<long?> DeleteAsync(ResourceKind kind, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var deleted = await WriteAsync($"delete {kind.Plural()}/{id}", async (connection, transaction) =>
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM resources WHERE kind = $kind AND id = $id";
            command.Parameters.AddWithValue("$kind", kind.Plural());
            command.Parameters.AddWithValue("$id", id);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                // As etcd: deleting a missing key is not a write and does not move the revision.
                return (Commit: false, Value: (long?)null);
            }

            var revision = await SqliteSchema.BumpRevisionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            return (Commit: true, Value: (long?)revision);
        }, cancellationToken).ConfigureAwait(false);

        if (deleted is not null)
        {
            RaiseChanged();
        }

        return deleted;
    }

    public Task<long> NextIdAsync(CancellationToken cancellationToken) =>
        // The id is a revision of its own (as APISIX bumps etcd's /apisix/gen_id), so POST ids
        // never repeat, even after the item that got one is deleted. Contents do not change: no event.
        WriteAsync("mint an id", async (connection, transaction) =>
        {
            var revision = await SqliteSchema.BumpRevisionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            return (Commit: true, Value: revision);
        }, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_writer is not null)
            {
                await _writer.DisposeAsync().ConfigureAwait(false);
                _writer = null;
            }

            // Pooled read connections keep the file open; release them so the file can be moved or deleted.
            using var poolKey = new SqliteConnection(_readConnectionString);
            SqliteConnection.ClearPool(poolKey);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> in an IMMEDIATE transaction on the writer connection, so the
    /// write lock is taken up front and a revision read is never stale.
    /// </summary>
    private async Task<T> WriteAsync<T>(string operation, Func<SqliteConnection, SqliteTransaction, Task<(bool Commit, T Value)>> body, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var connection = _writer ?? throw new InvalidOperationException($"{nameof(SqliteConfigStore)} used before {nameof(InitializeAsync)}.");
            await using var transaction = connection.BeginTransaction(deferred: false);
            var (commit, value) = await body(connection, transaction).ConfigureAwait(false);
            if (commit)
            {
                // With synchronous=FULL this returns only after the WAL is on disk.
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return value;
        }
        catch (SqliteException ex)
        {
            throw Unavailable(operation, ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            throw new InvalidOperationException($"{nameof(SqliteConfigStore)} used before {nameof(InitializeAsync)}.");
        }

        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<(long CreatedIndex, long ModifiedIndex)?> ReadIndexesAsync(
        SqliteConnection connection, SqliteTransaction transaction, ResourceKind kind, string id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT create_rev, mod_rev FROM resources WHERE kind = $kind AND id = $id";
        command.Parameters.AddWithValue("$kind", kind.Plural());
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? (reader.GetInt64(0), reader.GetInt64(1))
            : null;
    }

    private void RaiseChanged() => StoreChangeNotifier.Raise(Changed, ex => LogChangedHandlerFailed(_logger, ex));

    private StoreUnavailableException Unavailable(string operation, SqliteException ex) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"sqlite store at {Location}: {operation} failed: {ex.Message} (SQLite error {ex.SqliteErrorCode})"), ex);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Error, Message = "A handler of the store's Changed event threw; the write itself was committed.")]
    private static partial void LogChangedHandlerFailed(ILogger logger, Exception exception);
}

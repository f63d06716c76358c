using MirrorGate.Resources;

namespace MirrorGate.Stores;

/// <summary>
/// Where routes, upstreams, services, plugin configs and global rules live. Writes are durable before they return, and every
/// write (put or delete) gets a revision greater than any before it.
/// </summary>
/// <remarks>
/// Implementations: the embedded SQLite store (default) and the etcd store (cluster mode).
/// Failures to reach the backing store throw <see cref="StoreUnavailableException"/>; a lost
/// compare-and-swap throws <see cref="StoreConflictException"/>.
/// </remarks>
public interface IConfigStore : IAsyncDisposable
{
    /// <summary>A short name for logs: "sqlite", "etcd".</summary>
    string Name { get; }

    /// <summary>Where the data lives, for the start-up log.</summary>
    string Location { get; }

    /// <summary>Opens the store (creating it if needed) before first use.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    Task<StoreContents> LoadAllAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<StoredResource>> ListAsync(ResourceKind kind, CancellationToken cancellationToken);

    Task<StoredResource?> GetAsync(ResourceKind kind, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Creates or replaces one item. When <paramref name="expectedModifiedIndex"/> is given the
    /// write only happens if the item still has that revision (PATCH's compare-and-swap).
    /// </summary>
    Task<StoreWriteResult> PutAsync(ResourceKind kind, string id, string json, long? expectedModifiedIndex, CancellationToken cancellationToken);

    /// <summary>Deletes one item; returns the revision of the deletion, or null when it did not exist.</summary>
    Task<long?> DeleteAsync(ResourceKind kind, string id, CancellationToken cancellationToken);

    /// <summary>Mints a new id for POST: a strictly increasing number, formatted by the caller.</summary>
    Task<long> NextIdAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Raised after the store's contents changed, from any writer (this node or another).
    /// Handlers must be quick; the snapshot builder only records that a rebuild is due.
    /// </summary>
    event Action? Changed;
}

/// <summary>The backing store cannot be reached; the Admin API answers 503.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A compare-and-swap lost its race; the Admin API answers APISIX's "value changed before overwritten".</summary>
public sealed class StoreConflictException(string message) : Exception(message);

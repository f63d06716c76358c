using MirrorGate.Resources;

namespace MirrorGate.Stores;

/// <summary>
/// One stored item exactly as the Admin API wrote it: <see cref="Json"/> is the value object
/// (what the client sent plus id and times), kept as text so it is returned byte for byte.
/// </summary>
public sealed record StoredResource(ResourceKind Kind, string Id, string Json, long CreatedIndex, long ModifiedIndex);

/// <summary>Everything in a store at one revision.</summary>
public sealed record StoreContents(long Revision, IReadOnlyList<StoredResource> Items);

/// <summary>The outcome of a write: whether the key was new, and the revision it got.</summary>
public readonly record struct StoreWriteResult(bool Created, long CreatedIndex, long ModifiedIndex);

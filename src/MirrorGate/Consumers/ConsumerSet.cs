using System.Collections.Frozen;

namespace MirrorGate.Consumers;

/// <summary>
/// The consumers of one snapshot: by name (<c>anonymous_consumer</c>) and, per authentication
/// plugin, by credential (key-auth's key), so finding a request's consumer is one dictionary
/// lookup whatever the number of consumers.
/// </summary>
internal sealed class ConsumerSet
{
    public static readonly ConsumerSet Empty = new(FrozenDictionary<string, ConsumerModel>.Empty, FrozenDictionary<string, FrozenDictionary<string, ConsumerModel>>.Empty);

    private readonly FrozenDictionary<string, ConsumerModel> _byName;
    private readonly FrozenDictionary<string, FrozenDictionary<string, ConsumerModel>> _byCredential;

    public ConsumerSet(FrozenDictionary<string, ConsumerModel> byName, FrozenDictionary<string, FrozenDictionary<string, ConsumerModel>> byCredential)
    {
        _byName = byName;
        _byCredential = byCredential;
    }

    public int Count => _byName.Count;

    public IEnumerable<ConsumerModel> All => _byName.Values;

    public ConsumerModel? FindByName(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The consumer whose <paramref name="plugin"/> config holds <paramref name="credential"/>; null when none.</summary>
    public ConsumerModel? FindByCredential(string plugin, string credential)
        => _byCredential.TryGetValue(plugin, out var table) ? table.GetValueOrDefault(credential) : null;
}

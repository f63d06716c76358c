using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using MirrorGate.Pipeline;

namespace MirrorGate.Consumers;

/// <summary>
/// A consumer compiled into a snapshot: its name, its <c>custom_id</c> label and its own plugins
/// (those that are not authentication), compiled once. The chains they make with routes are merged
/// on a route's first request by this consumer and kept as long as the route's chain lives, so a
/// later request finds its chain with one lock-free lookup.
/// </summary>
internal sealed class ConsumerModel
{
    private readonly ConditionalWeakTable<PluginChain, ConsumerChain> _merged = new();
    private readonly ConditionalWeakTable<PluginChain, ConsumerChain>.CreateValueCallback _merge;

    public ConsumerModel(string name, string? customId, PluginChainEntry[] plugins, long modifiedIndex)
    {
        Name = name;
        CustomId = customId;
        Plugins = plugins;
        ModifiedIndex = modifiedIndex;
        _merge = route => ConsumerChain.Merge(route, Plugins);
    }

    /// <summary>The <c>username</c> (APISIX's <c>consumer_name</c>).</summary>
    public string Name { get; }

    /// <summary><c>labels.custom_id</c>, sent upstream as <c>X-Consumer-Custom-ID</c>.</summary>
    public string? CustomId { get; }

    /// <summary>
    /// The credential that authenticated, for a model standing for one of the consumer's credentials
    /// (sent upstream as <c>X-Credential-Identifier</c>); null for the consumer's own plugins.
    /// </summary>
    public string? CredentialId { get; private init; }

    /// <summary>This consumer as authenticated by its credential <paramref name="credentialId"/>: the same plugins, compiled once.</summary>
    public ConsumerModel ForCredential(string credentialId) => new(Name, CustomId, Plugins, ModifiedIndex) { CredentialId = credentialId };

    /// <summary>The consumer's plugins other than authentication ones, by effective priority.</summary>
    public PluginChainEntry[] Plugins { get; }

    /// <summary>The store revision the consumer was compiled from; an unchanged consumer is reused by the next build.</summary>
    public long ModifiedIndex { get; }

    /// <summary>The route's chain with this consumer's plugins, or null when the consumer has none (the route's chain stays).</summary>
    public ConsumerChain? MergeInto(PluginChain route)
        => Plugins.Length == 0 ? null : _merged.TryGetValue(route, out var chain) ? chain : _merged.GetValue(route, _merge);

    /// <summary>The <c>custom_id</c> label, when it is a string.</summary>
    public static string? ReadCustomId(JsonObject consumer)
        => consumer["labels"] is JsonObject labels && labels["custom_id"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

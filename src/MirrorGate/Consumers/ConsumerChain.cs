using MirrorGate.Pipeline;

namespace MirrorGate.Consumers;

/// <summary>
/// A route's chain with a consumer's plugins merged in, as APISIX's <c>merge_consumer_route</c>
/// does once the consumer is known: a plugin on both runs with the consumer's config, the whole
/// is sorted by priority again, and the consumer's plugins the route does not have run their
/// rewrite phase late (APISIX's <c>rewrite_in_consumer</c>), since the route's rewrite is over.
/// </summary>
internal sealed class ConsumerChain(PluginChain chain, PluginHandler[] rewriteInConsumer)
{
    public PluginChain Chain { get; } = chain;

    /// <summary>Handlers of <see cref="Chain"/> (wrapped for <c>_meta</c>) whose rewrite phase still has to run.</summary>
    public PluginHandler[] RewriteInConsumer { get; } = rewriteInConsumer;

    public static ConsumerChain Merge(PluginChain route, PluginChainEntry[] consumer)
    {
        var merged = new List<(PluginChainEntry Entry, bool Late)>(route.Entries.Length + consumer.Length);
        foreach (var entry in route.Entries)
        {
            if (!Array.Exists(consumer, c => c.Name == entry.Name))
            {
                merged.Add((entry, false));
            }
        }

        foreach (var entry in consumer)
        {
            merged.Add((entry, !Array.Exists(route.Entries, r => r.Name == entry.Name)));
        }

        // Stable: equal priorities keep the route's plugins first.
        var sorted = merged.OrderByDescending(m => m.Entry.Priority).ToArray();
        var handlers = new PluginHandler[sorted.Length];
        var late = new List<PluginHandler>();
        for (var i = 0; i < sorted.Length; i++)
        {
            var (entry, isLate) = sorted[i];
            handlers[i] = PluginMetaCompiler.Wrap(entry.Handler, entry.Meta, i, sorted.Length);
            if (isLate)
            {
                late.Add(handlers[i]);
            }
        }

        return new ConsumerChain(new PluginChain(handlers, sorted.Select(s => s.Entry).ToArray()), [.. late]);
    }
}

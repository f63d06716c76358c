using System.Text.Json.Nodes;
using MirrorGate.Consumers;
using MirrorGate.Pipeline;

namespace MirrorGate.Tests.Consumers;

public sealed class ConsumerChainTests
{
    private sealed class Named(string name) : PluginHandler
    {
        public string Name { get; } = name;
    }

    private static PluginChainEntry Entry(string name, int priority, JsonObject? meta = null) => new(name, priority, meta, new Named(name + "@" + priority));

    private static PluginChain Chain(params PluginChainEntry[] entries) => new(entries.Select(e => e.Handler).ToArray(), entries);

    private static string[] Names(IEnumerable<PluginHandler> handlers) => handlers.Select(h => ((Named)PluginMetaCompiler.Unwrap(h)).Name).ToArray();

    [Fact]
    public void Merge_ConsumerWinsSameName_SortedByPriority_OnlyNewOnesRunLate()
    {
        var route = Chain(Entry("key-auth", 2500), Entry("proxy-rewrite", 1008), Entry("limit-count", 1002));
        var consumer = new[] { Entry("request-id", 12015), Entry("limit-count", 1002 + 0) with { Handler = new Named("limit-count@consumer") }, Entry("cors", 4000) };

        var merged = ConsumerChain.Merge(route, consumer);

        Assert.Equal(["request-id@12015", "cors@4000", "key-auth@2500", "proxy-rewrite@1008", "limit-count@consumer"], Names(merged.Chain.Handlers));
        Assert.Equal(["request-id@12015", "cors@4000"], Names(merged.RewriteInConsumer));
        Assert.Equal(["request-id", "cors", "key-auth", "proxy-rewrite", "limit-count"], merged.Chain.Entries.Select(e => e.Name));
    }

    [Fact]
    public void Merge_MetaPriority_UsedAndFilterWrappedAtItsNewSlot()
    {
        var route = Chain(Entry("key-auth", 2500));
        var meta = new JsonObject { ["filter"] = new JsonArray(new JsonArray("consumer_name", "==", "jack")) };
        var merged = ConsumerChain.Merge(route, [Entry("proxy-mirror", 3000, meta)]);

        Assert.IsType<MetaPluginHandler>(merged.Chain.Handlers[0]);
        Assert.Equal(["proxy-mirror@3000", "key-auth@2500"], Names(merged.Chain.Handlers));
    }

    [Fact]
    public void MergeInto_CachedPerRouteChain_NullWithoutPlugins()
    {
        var route = Chain(Entry("key-auth", 2500));
        var other = Chain(Entry("key-auth", 2500));
        var consumer = new ConsumerModel("jack", null, [Entry("cors", 4000)], 1);

        Assert.Same(consumer.MergeInto(route), consumer.MergeInto(route));
        Assert.NotSame(consumer.MergeInto(route), consumer.MergeInto(other));
        Assert.Null(new ConsumerModel("rose", null, [], 1).MergeInto(route));
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Pipeline;
using MirrorGate.Snapshot;

namespace MirrorGate.Tests.Pipeline;

public sealed class HeaderFilterPhaseTests
{
    private sealed class HeaderFilterHandler : PluginHandler
    {
        public int Calls { get; private set; }

        public override bool HasHeaderFilter => true;

        public override void HeaderFilter(ProxyContext context) => Calls++;
    }

    private sealed class PlainHandler : PluginHandler;

    private static ProxyContext Context(string query)
    {
        var http = new DefaultHttpContext();
        http.Request.Path = "/hello";
        http.Request.QueryString = new QueryString(query);
        return new ProxyContext(http, new RouteModel { Id = "r", Config = [], Plugins = PluginChain.Empty });
    }

    [Fact]
    public void Chain_HasHeaderFilter_OnlyWhenAHandlerHasOne()
    {
        Assert.False(new PluginChain([new PlainHandler()]).HasHeaderFilter);
        Assert.True(new PluginChain([new PlainHandler(), new HeaderFilterHandler()]).HasHeaderFilter);
    }

    [Theory]
    [InlineData("?run=1", 1)]
    [InlineData("?run=0", 0)]
    public void MetaFilter_DecidesTheHeaderFilterToo(string query, int calls)
    {
        var handler = new HeaderFilterHandler();
        var wrapped = PluginMetaCompiler.Wrap(handler, JsonNode.Parse("""{"filter":[["arg_run","==","1"]]}""")!.AsObject(), 0, 1);

        Assert.True(wrapped.HasHeaderFilter);
        wrapped.HeaderFilter(Context(query));

        Assert.Equal(calls, handler.Calls);
    }
}

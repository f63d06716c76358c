using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Pipeline;
using MirrorGate.Snapshot;

namespace MirrorGate.Tests.Pipeline;

public sealed class PluginMetaCompilerTests
{
    private sealed class CountingHandler(PhaseResult rewrite) : PluginHandler
    {
        public int Rewrites { get; private set; }

        public int Accesses { get; private set; }

        public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
        {
            Rewrites++;
            return new ValueTask<PhaseResult>(rewrite);
        }

        public override ValueTask<PhaseResult> AccessAsync(ProxyContext context)
        {
            Accesses++;
            return PhaseResult.ContinueTask;
        }
    }

    private static ProxyContext Context(string query = "")
    {
        var http = new DefaultHttpContext();
        http.Request.Path = "/hello";
        http.Request.QueryString = new QueryString(query);
        return new ProxyContext(http, new RouteModel { Id = "r", Config = [], Plugins = PluginChain.Empty });
    }

    [Fact]
    public void Wrap_NoMeta_ReturnsTheHandlerItself()
    {
        var handler = new CountingHandler(PhaseResult.Continue);

        Assert.Same(handler, PluginMetaCompiler.Wrap(handler, null, 0, 1));
        Assert.Same(handler, PluginMetaCompiler.Wrap(handler, new JsonObject { ["priority"] = 5, ["disable"] = false }, 0, 1));
    }

    [Fact]
    public async Task Filter_NotMatching_SkipsEveryPhase()
    {
        var handler = new CountingHandler(PhaseResult.Continue);
        var wrapped = PluginMetaCompiler.Wrap(handler, JsonNode.Parse("""{"filter":[["arg_run","==","1"]]}""")!.AsObject(), 0, 1);
        var context = Context("?run=0");

        await wrapped.RewriteAsync(context);
        await wrapped.AccessAsync(context);

        Assert.Equal(0, handler.Rewrites);
        Assert.Equal(0, handler.Accesses);
    }

    [Fact]
    public async Task Filter_Matching_RunsAndKeepsTheVerdictForLaterPhases()
    {
        var handler = new CountingHandler(PhaseResult.Continue);
        var wrapped = PluginMetaCompiler.Wrap(handler, JsonNode.Parse("""{"filter":[["arg_run","==","1"]]}""")!.AsObject(), 1, 2);
        var context = Context("?run=1");

        await wrapped.RewriteAsync(context);
        context.HttpContext.Request.QueryString = new QueryString("?run=0");
        await wrapped.AccessAsync(context);

        Assert.Equal(1, handler.Rewrites);
        Assert.Equal(1, handler.Accesses);
        Assert.Equal(MetaFilterVerdict.Runs, context.FilterVerdicts![1]);
    }

    [Theory]
    [InlineData("\"denied\"", "denied")]
    [InlineData("{\"message\":\"denied\"}", "{\"message\":\"denied\"}")]
    public async Task ErrorResponse_PluginRejects_BodyReplacedStatusKept(string configured, string expected)
    {
        var handler = new CountingHandler(PhaseResult.Respond(401, """{"message":"Missing API key in request"}"""));
        var wrapped = PluginMetaCompiler.Wrap(handler, JsonNode.Parse($$"""{"error_response":{{configured}}}""")!.AsObject(), 0, 1);

        var result = await wrapped.RewriteAsync(Context());

        Assert.Equal(401, result.StatusCode);
        Assert.Equal(expected, result.Body);
    }

    [Fact]
    public async Task ErrorResponse_PluginAnswersBelow400_BodyKept()
    {
        var handler = new CountingHandler(PhaseResult.Respond(200, "ok"));
        var wrapped = PluginMetaCompiler.Wrap(handler, JsonNode.Parse("""{"error_response":"denied"}""")!.AsObject(), 0, 1);

        var result = await wrapped.RewriteAsync(Context());

        Assert.Equal("ok", result.Body);
    }
}

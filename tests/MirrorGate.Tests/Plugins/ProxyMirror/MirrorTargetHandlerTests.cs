using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Mirroring;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;
using MirrorGate.Tests.Mirroring;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

/// <summary>Several targets, their filters, their header edits and their own queue budget, on one route's handler.</summary>
public sealed class MirrorTargetHandlerTests : IAsyncLifetime
{
    private readonly MirrorMetrics _metrics = new();
    private readonly MirrorDispatcher _dispatcher;
    private readonly ProxyMirrorSettings _settings = ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 64 };

    public MirrorTargetHandlerTests()
    {
        _dispatcher = TestDispatcher.Create(_settings, _metrics, new MirrorMemoryBudget(() => 1 << 20));
    }

    private ProxyMirrorHandler Handler(string json, double draw = 0)
    {
        var config = ProxyMirrorConfig.FromJson((JsonObject)JsonNode.Parse(json)!);
        var runtime = new MirrorRuntime(_dispatcher, _metrics, () => _settings, () => draw, new MirrorMarker("node-1", "X-Shadow-Of"));
        return ProxyMirrorHandler.Create(config, runtime, "r");
    }

    private static ProxyContext Context(string method = "GET", params (string Name, string Value)[] headers)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = method;
        http.Request.Path = "/hello";
        http.Request.QueryString = new QueryString("?a=1");
        http.Request.Host = new HostString("example.test");
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        foreach (var (name, value) in headers)
        {
            http.Request.Headers.Append(name, value);
        }

        var route = new RouteModel { Id = "r", Config = new JsonObject(), Plugins = PluginChain.Empty };
        return new ProxyContext(http, route) { UpstreamHost = "example.test" };
    }

    [Fact]
    public async Task BeforeProxy_TwoTargets_EachGetsItsOwnCopyPathAndLabel()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"targets":[{"host":"http://127.0.0.1:9","name":"blue","path":"/b"},{"host":"http://127.0.0.1:9","path":"/g","path_concat_mode":"prefix"}]}""");

        Assert.Equal(["blue", "http://127.0.0.1:9"], handler.Targets.Select(t => t.Metrics.Target));
        Assert.Equal("/b?a=1", handler.Targets[0].Copy(Context()).PathAndQuery);
        Assert.Equal("/g/hello?a=1", handler.Targets[1].Copy(Context()).PathAndQuery);

        handler.BeforeProxy(Context());

        Assert.Equal(1, outcomes.SampledFor("blue"));
        Assert.Equal(1, outcomes.SampledFor("http://127.0.0.1:9"));
        await outcomes.WaitUntilAsync(o => o.TotalFor("blue") == 1 && o.TotalFor("http://127.0.0.1:9") == 1, "both copies settled");
    }

    [Fact]
    public void BeforeProxy_MethodNotListed_NotSampledAllocatesNothing()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"methods":["POST"],"targets":[{"host":"http://127.0.0.1:9","name":"a"},{"host":"http://127.0.0.1:9","name":"b","sample_ratio":0.5}]}""");
        var context = Context("GET");
        handler.BeforeProxy(context);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            handler.BeforeProxy(context);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, outcomes.SampledFor("a") + outcomes.SampledFor("b"));
        Assert.Equal(0, _dispatcher.QueueLength + _dispatcher.InFlight);
    }

    [Fact]
    public void BeforeProxy_TargetMethodsOverridePluginMethods()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"methods":["POST"],"targets":[{"host":"http://127.0.0.1:9","name":"a"},{"host":"http://127.0.0.1:9","name":"b","methods":["GET","DELETE"]}]}""");

        handler.BeforeProxy(Context("DELETE"));

        Assert.Equal(0, outcomes.SampledFor("a"));
        Assert.Equal(1, outcomes.SampledFor("b"));
    }

    [Fact]
    public void BeforeProxy_Vars_OnlyMatchingRequestsSampled()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"host":"http://127.0.0.1:9","name":"v","vars":[["http_x_canary","==","yes"]]}""");

        handler.BeforeProxy(Context("GET", ("X-Canary", "no")));
        handler.BeforeProxy(Context("GET"));
        Assert.Equal(0, outcomes.SampledFor("v"));

        handler.BeforeProxy(Context("GET", ("X-Canary", "yes")));
        Assert.Equal(1, outcomes.SampledFor("v"));
    }

    [Fact]
    public void Copy_HeaderEdits_SetReplacesRemoveTakesOffMarkerStays()
    {
        var handler = Handler("""{"host":"http://127.0.0.1:9","headers":{"set":{"X-Env":"shadow","Accept":"text/plain"},"remove":["Authorization","X-Forwarded-For"]}}""");
        var context = Context("GET", ("Authorization", "Bearer secret"), ("Accept", "*/*"), ("X-Kept", "1"), ("x-env", "prod"));

        var headers = handler.Targets[0].Copy(context).Headers;

        string[] Values(string name) => headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).SelectMany(h => h.Value).ToArray();
        Assert.Equal(["shadow"], Values("X-Env"));
        Assert.Equal(["text/plain"], Values("Accept"));
        Assert.Equal(["1"], Values("X-Kept"));
        Assert.Empty(Values("Authorization"));
        Assert.Empty(Values("X-Forwarded-For"));
        Assert.Equal(["node-1"], Values("X-Shadow-Of"));

        // The primary request is untouched.
        Assert.Equal("Bearer secret", context.HttpContext.Request.Headers.Authorization.ToString());
        Assert.Equal("prod", context.HttpContext.Request.Headers["X-Env"].ToString());
    }

    [Theory]
    [InlineData("X-Shadow-Of")]
    [InlineData("X-MirrorGate-Mirror")]
    public void BeforeProxy_EitherMarkerName_DroppedLoop(string marker)
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        Handler("""{"host":"http://127.0.0.1:9","name":"m"}""").BeforeProxy(Context("GET", (marker, "other-node")));

        Assert.Equal(1, outcomes.DroppedFor("m", MirrorReasons.Loop));
        Assert.Equal(0, _dispatcher.QueueLength + _dispatcher.InFlight);
    }

    [Fact]
    public void BeforeProxy_TargetBudgetUsedUp_DroppedQueueFullOtherTargetStillCopied()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"targets":[{"host":"http://127.0.0.1:9","name":"small","queue_size":1},{"host":"http://127.0.0.1:9","name":"other"}]}""");
        Assert.True(handler.Targets[0].Metrics.Load!.TryTake()); // a copy of "small" still held

        handler.BeforeProxy(Context());

        Assert.Equal(1, outcomes.DroppedFor("small", MirrorReasons.QueueFull));
        Assert.Equal(1, outcomes.SampledFor("other"));
        Assert.Equal(0, outcomes.DroppedFor("other", MirrorReasons.QueueFull));
        Assert.Equal(1, handler.Targets[0].Metrics.Load!.Held);
    }

    [Fact]
    public async Task BeforeProxy_TargetBudget_GivenBackWhenTheCopySettles()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"host":"http://127.0.0.1:9","name":"small","queue_size":1}""");

        handler.BeforeProxy(Context());
        await outcomes.WaitUntilAsync(o => o.TotalFor("small") == 1, "the copy settled");

        Assert.Equal(0, handler.Targets[0].Metrics.Load!.Held);
    }

    [Fact]
    public async Task BeforeProxy_BodyAndTwoTargets_OneTeeBothCopiesCarryTheBody()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"targets":[{"host":"http://127.0.0.1:9","name":"a"},{"host":"http://127.0.0.1:9","name":"b"}]}""");
        var context = Context("POST");
        var request = context.HttpContext.Request;
        request.ContentLength = 5;
        request.Body = new MemoryStream("hello"u8.ToArray());

        handler.BeforeProxy(context);
        var tee = Assert.IsType<MirrorTeeStream>(request.Body);
        var read = await tee.ReadAsync(new byte[16]);

        Assert.Equal(5, read);
        await outcomes.WaitUntilAsync(o => o.TotalFor("a") == 1 && o.TotalFor("b") == 1, "both copies settled");
        Assert.Equal(0, _dispatcher.Budget.Used); // the shared body went back once both let go
    }

    [Fact]
    public void BeforeProxy_KillSwitchOpen_DroppedCircuitOpen()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"host":"http://127.0.0.1:9","name":"k","max_failure_ratio":0.5,"min_copies":1,"cool_down":60}""");
        handler.Targets[0].Metrics.OnRefused(MirrorReasons.QueueFull); // 1 bad of 1 settled

        handler.BeforeProxy(Context());

        Assert.Equal(1, outcomes.DroppedFor("k", MirrorReasons.CircuitOpen));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _dispatcher.DisposeAsync();
}

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;
using MirrorGate.Tests.Mirroring;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

public sealed class ProxyMirrorHandlerTests : IAsyncLifetime
{
    private readonly MirrorMetrics _metrics = new();
    private readonly MirrorDispatcher _dispatcher;
    private readonly ProxyMirrorSettings _settings = ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 4 };

    public ProxyMirrorHandlerTests()
    {
        _dispatcher = TestDispatcher.Create(_settings, _metrics, new MirrorMemoryBudget(() => 1 << 20));
    }

    private ProxyMirrorHandler Handler(double ratio, double draw)
        => Handler(new JsonObject { ["host"] = "http://127.0.0.1:9", ["sample_ratio"] = ratio }, draw);

    private ProxyMirrorHandler Handler(JsonObject pluginConfig, double draw = 0)
    {
        var config = ProxyMirrorConfig.FromJson(pluginConfig);
        var runtime = new MirrorRuntime(_dispatcher, _metrics, () => _settings, () => draw, new MirrorMarker("node-1"));
        return ProxyMirrorHandler.Create(config, runtime, "r");
    }

    private static ProxyContext Context()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/hello";
        http.Request.Host = new HostString("example.test");
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        var route = new RouteModel { Id = "r", Config = new JsonObject(), Plugins = PluginChain.Empty };
        return new ProxyContext(http, route) { UpstreamHost = "example.test" };
    }

    [Fact]
    public void BeforeProxy_SampledOut_AllocatesNothing()
    {
        var handler = Handler(ratio: 0.1, draw: 0.5);
        var context = Context();
        handler.BeforeProxy(context); // warm up

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            handler.BeforeProxy(context);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, _dispatcher.QueueLength + _dispatcher.InFlight);
    }

    [Theory]
    [InlineData(0.5, 0.49999, true)]
    [InlineData(0.5, 0.5, false)]
    [InlineData(1.0, 0.99999, true)]
    [InlineData(0.00001, 0.0, true)]
    public void BeforeProxy_Draw_MirrorsWhenBelowRatio(double ratio, double draw, bool mirrored)
    {
        var handler = Handler(ratio, draw);
        var context = Context();
        var sampled = 0L;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument, _metrics.Sampled))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref sampled, value));
        listener.Start();

        handler.BeforeProxy(context);

        Assert.Equal(mirrored ? 1 : 0, Interlocked.Read(ref sampled));
    }

    [Theory]
    [InlineData("GET", true, MirrorReasons.Loop)]
    [InlineData("CONNECT", false, MirrorReasons.ConnectMethod)]
    public void BeforeProxy_CopyOrConnect_DroppedWithReasonNothingQueued(string method, bool carriesMarker, string reason)
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var context = Context();
        context.HttpContext.Request.Method = method;
        if (carriesMarker)
        {
            context.HttpContext.Request.Headers[MirrorMarker.DefaultHeaderName] = "another-node";
        }

        Handler(ratio: 1, draw: 0).BeforeProxy(context);

        Assert.Equal(1, outcomes.DroppedWith(reason));
        Assert.Equal(1, outcomes.Total);
        Assert.Equal(0, _dispatcher.QueueLength + _dispatcher.InFlight);
    }

    [Fact]
    public void BeforeProxy_CopyWithCrLfInTarget_FailedErrorNeverQueuedBodyUntouched()
    {
        // A path stored before CR and LF were refused at save (or written to the store by hand).
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler(new JsonObject { ["host"] = "http://127.0.0.1:9", ["path"] = "/a\r\nInjected: 1" });
        var context = Context();
        var body = new MemoryStream("abc"u8.ToArray());
        context.HttpContext.Request.Method = "POST";
        context.HttpContext.Request.ContentLength = 3;
        context.HttpContext.Request.Body = body;

        handler.BeforeProxy(context);

        Assert.Equal(1, outcomes.FailedWith(MirrorReasons.Error));
        Assert.Equal(1, outcomes.Total);
        Assert.Equal(0, _dispatcher.QueueLength + _dispatcher.InFlight);
        Assert.Same(body, context.HttpContext.Request.Body);
    }

    [Fact]
    public void Copy_Request_CarriesNodeMarkerOnce()
    {
        var context = Context();
        context.HttpContext.Request.Headers["Accept"] = "*/*";

        var copy = Handler(ratio: 1, draw: 0).Targets[0].Copy(context);

        var marker = Assert.Single(copy.Headers, h => h.Key.Equals(MirrorMarker.DefaultHeaderName, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["node-1"], marker.Value);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        _metrics.Dispose();
    }
}

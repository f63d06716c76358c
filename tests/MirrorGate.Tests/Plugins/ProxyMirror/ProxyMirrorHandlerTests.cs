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
    {
        var config = ProxyMirrorConfig.FromJson((JsonObject)JsonNode.Parse($$"""{"host":"http://127.0.0.1:9","sample_ratio":{{ratio}}}""")!);
        var runtime = new MirrorRuntime(_dispatcher, _metrics, () => _settings, () => draw);
        return new ProxyMirrorHandler(config, runtime, new MirrorTargetMetrics(_metrics, "r", config.Host));
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

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        _metrics.Dispose();
    }
}

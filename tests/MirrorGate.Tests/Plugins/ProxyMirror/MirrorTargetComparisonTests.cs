using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;
using MirrorGate.Tests.Mirroring;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

/// <summary>A compared target's copy, its noise host's copy and the comparison they report to, on one route's handler.</summary>
public sealed class MirrorTargetComparisonTests : IAsyncLifetime
{
    private readonly MirrorMetrics _metrics = new();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CompareMetrics _compareMetrics;
    private readonly CompareResults _results;
    private readonly MirrorDispatcher _dispatcher;
    private readonly MirrorRuntime _runtime;
    private readonly ProxyMirrorSettings _settings = ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 64 };

    public MirrorTargetComparisonTests()
    {
        _compareMetrics = new CompareMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        _results = new CompareResults(_compareMetrics, TimeProvider.System);
        _dispatcher = TestDispatcher.Create(_settings, _metrics, new MirrorMemoryBudget(() => 1 << 20));
        _runtime = new MirrorRuntime(_dispatcher, _metrics, () => _settings, () => 0, new MirrorMarker("node-1"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        _results.Dispose();
        _compareMetrics.Dispose();
        _metrics.Dispose();
        await _services.DisposeAsync();
    }

    private ProxyMirrorHandler Handler(string json)
    {
        var config = ProxyMirrorConfig.FromJson((JsonObject)JsonNode.Parse(json)!);
        var services = new CompareServices(_results, new CompareBudget(() => 1 << 20, _compareMetrics), TimeProvider.System);
        return ProxyMirrorHandler.Create(config, _runtime, "r", services);
    }

    private static ProxyContext Context()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/orders/2";
        http.Request.Host = new HostString("example.test");
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Request.Headers.Append("X-User", "u1");
        var route = new RouteModel { Id = "r", Config = new JsonObject(), Plugins = PluginChain.Empty };
        return new ProxyContext(http, route) { UpstreamHost = "example.test" };
    }

    private static CapturedResponse Answer(string body) => new()
    {
        Status = 200,
        Headers = [new("Content-Type", ["application/json"])],
        Body = System.Text.Encoding.UTF8.GetBytes(body),
        BodyLength = body.Length,
    };

    [Fact]
    public void Admit_ComparedTargetWithNoiseHost_BothCopiesCarryTheirSinksAndTheSameRequest()
    {
        var handler = Handler("""{"targets":[{"name":"v2","host":"http://127.0.0.1:9","compare":{"noise_host":"http://127.0.0.2:9"}}]}""");

        var copy = handler.Targets[0].Admit(Context(), out var comparison, out var noise);

        Assert.NotNull(copy);
        Assert.NotNull(comparison);
        Assert.Same(comparison.Candidate, copy.AnswerSink);
        Assert.NotNull(noise);
        Assert.Same(comparison.Noise, noise.AnswerSink);
        Assert.Equal("http://127.0.0.2:9", noise.Origin.BaseUri);
        Assert.Equal("v2/noise", noise.Metrics.Target);
        Assert.Equal("v2", copy.Metrics.Target);
        Assert.Equal(copy.PathAndQuery, noise.PathAndQuery);
        Assert.Equal(copy.Method, noise.Method);
        Assert.Equal(copy.Host, noise.Host);
        Assert.Same(copy.Headers, noise.Headers);
        Assert.True(handler.Compares("v2"));
        Assert.False(handler.Compares("v3"));
    }

    [Fact]
    public void Admit_TargetWithoutCompare_NoComparisonNoSink()
    {
        var handler = Handler("""{"host":"http://127.0.0.1:9"}""");

        var copy = handler.Targets[0].Admit(Context(), out var comparison, out var noise);

        Assert.NotNull(copy);
        Assert.Null(copy.AnswerSink);
        Assert.Null(comparison);
        Assert.Null(noise);
        Assert.False(handler.Compares("http://127.0.0.1:9"));
    }

    [Fact]
    public async Task Admit_NoiseHostCircuitOpen_NoiseCopyRefusedAndComparisonSkippedForIt()
    {
        using var outcomes = new MirrorOutcomes(_metrics);
        var handler = Handler("""{"targets":[{"name":"v2","host":"http://127.0.0.1:9","compare":{"noise_host":"http://127.0.0.3:9"}}]}""");
        var circuit = _runtime.CircuitFor("http://127.0.0.3:9");
        for (var i = 0; i < MirrorCircuit.Threshold; i++)
        {
            circuit.OnConnectFailed();
        }

        var copy = handler.Targets[0].Admit(Context(), out var comparison, out var noise);

        Assert.NotNull(copy);
        Assert.Null(noise);
        Assert.Equal(1, outcomes.DroppedFor("v2/noise", MirrorReasons.CircuitOpen));

        // The two other answers arrive: the comparison is counted skipped for want of its noise answer.
        comparison!.OnPrimary(Answer("""{"a":1}"""));
        comparison.Candidate.OnAnswer(Answer("""{"a":2}"""));
        var view = await WaitForViewAsync();
        Assert.Equal(1, view.Skipped);
        Assert.Equal(0, view.Mismatch);
    }

    [Fact]
    public async Task Admit_MaxWaitingComparisons_CopySentUncomparedAndCountedSkipped()
    {
        var handler = Handler("""{"targets":[{"name":"v2","host":"http://127.0.0.1:9","compare":{}}]}""");
        var target = handler.Targets[0];
        var waiting = new List<PendingComparison>();
        for (var i = 0; i < MirrorTargetComparison.MaxWaiting; i++)
        {
            Assert.NotNull(target.Admit(Context(), out var started, out _));
            waiting.Add(started!);
        }

        var copy = target.Admit(Context(), out var refused, out _);

        Assert.NotNull(copy);
        Assert.Null(refused);
        Assert.Null(copy.AnswerSink);
        Assert.Equal(1, (await WaitForViewAsync()).Skipped);

        // One finishes: the next copy is compared again.
        waiting[0].OnPrimary(Answer("""{"a":1}"""));
        waiting[0].Candidate.OnAnswer(Answer("""{"a":1}"""));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (target.Comparison!.Waiting >= MirrorTargetComparison.MaxWaiting)
        {
            await Task.Delay(10, deadline.Token);
        }

        Assert.NotNull(target.Admit(Context(), out var again, out _));
        Assert.NotNull(again);
    }

    private async Task<MismatchRingView> WaitForViewAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (_results.Views("r").FirstOrDefault() is { } view && view.Match + view.Mismatch + view.Noise + view.Skipped > 0)
            {
                return view;
            }

            await Task.Delay(10, deadline.Token);
        }
    }
}

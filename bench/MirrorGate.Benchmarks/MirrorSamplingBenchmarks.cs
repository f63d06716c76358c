using System.Net;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Balancing;
using MirrorGate.Mirroring;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;

namespace MirrorGate.Benchmarks;

/// <summary>
/// What deciding to mirror costs per request: the random draw against consistent sampling
/// (<c>sample_key</c>: find the header, hash its value), alone and as the whole before_proxy of
/// a route whose request is sampled out. Consistent sampling must stay under 100 ns and allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class MirrorSamplingBenchmarks
{
    private readonly Func<double> _draw = () => 0.5;
    private MirrorSampler _random = null!;
    private MirrorSampler _keyed = null!;
    private HttpContext _http = null!;
    private ProxyContext _context = null!;
    private ProxyMirrorHandler _keyedHandler = null!;
    private MirrorDispatcher _dispatcher = null!;

    [GlobalSetup]
    public void Setup()
    {
        _random = new MirrorSampler(0.1, null);
        _keyed = new MirrorSampler(0.1, RequestVariable.Parse("http_x_user_id"));

        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/hello";
        http.Request.Host = new HostString("example.test");
        http.Request.Headers["User-Agent"] = "bench";
        http.Request.Headers["Accept"] = "*/*";
        http.Request.Headers["X-User-Id"] = "user-12345678";
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        _http = http;
        _context = new ProxyContext(http, new RouteModel { Id = "1", Config = new JsonObject(), Plugins = PluginChain.Empty }) { UpstreamHost = "example.test" };

        var metrics = new MirrorMetrics();
        var settings = ProxyMirrorSettings.Default;
        var sender = new MirrorSender(() => settings, TimeProvider.System);
        _dispatcher = new MirrorDispatcher(sender, () => settings, metrics, new MirrorMemoryBudget(() => long.MaxValue),
            new MirrorFailureLog(TimeProvider.System, NullLogger.Instance), TimeProvider.System, NullLogger<MirrorDispatcher>.Instance);
        var runtime = new MirrorRuntime(_dispatcher, metrics, () => settings, _draw, new MirrorMarker("bench"));

        // A ratio that takes none of this user: the whole before_proxy of a request sampled out by its key.
        var ratio = MirrorSampler.Position(StableHash.Of("user-12345678")) / 2;
        var config = ProxyMirrorConfig.FromJson(new JsonObject { ["host"] = "http://127.0.0.1:9", ["sample_ratio"] = Math.Max(ratio, 0.00001), ["sample_key"] = "http_x_user_id" });
        _keyedHandler = ProxyMirrorHandler.Create(config, runtime, "1");
    }

    [GlobalCleanup]
    public void Cleanup() => _dispatcher.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "sample: random draw")]
    public bool Random() => _random.Samples(_http, _draw);

    [Benchmark(Description = "sample: consistent (sample_key http_x_user_id)")]
    public bool Consistent() => _keyed.Samples(_http, _draw);

    [Benchmark(Description = "part: find the header")]
    public int HeaderOnly() => _http.Request.Headers["X-User-Id"].Count;

    [Benchmark(Description = "part: hash the value")]
    public uint HashOnly() => StableHash.Of("user-12345678");

    [Benchmark(Description = "before_proxy, sampled out by its key")]
    public void BeforeProxyKeyedOut() => _keyedHandler.BeforeProxy(_context);
}

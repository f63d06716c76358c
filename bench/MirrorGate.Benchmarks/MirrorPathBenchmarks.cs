using System.Net;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Http1;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;

namespace MirrorGate.Benchmarks;

/// <summary>
/// The per-request cost of proxy-mirror on the primary's path: a request sampled out (must
/// allocate nothing), freezing a sampled request (what the primary pays before the mirror leaves
/// it), and the body tee against reading the same body without it. And the mirror leg's
/// per-copy work off that path: writing a copy's request head into the send buffer and finding
/// the end of its answer (both must allocate nothing).
/// </summary>
[MemoryDiagnoser]
public class MirrorPathBenchmarks
{
    private ProxyMirrorHandler _sampledOut = null!;
    private ProxyContext _context = null!;
    private MirrorTargetConfig _config = null!;
    private MirrorDispatcher _dispatcher = null!;
    private MirrorMemoryBudget _budget = null!;
    private MirrorTargetMetrics _targetMetrics = null!;
    private readonly byte[] _body = new byte[256 * 1024];
    private readonly byte[] _readBuffer = new byte[16 * 1024];
    private readonly byte[] _sendBuffer = new byte[16 * 1024];
    private readonly Http1ResponseParser _parser = new();
    private readonly byte[] _answer = "HTTP/1.1 200 OK\r\nContent-Length: 12\r\nDate: Fri, 27 Nov 2026 00:00:00 GMT\r\nServer: Kestrel\r\n\r\nhello world\n"u8.ToArray();
    private MirrorRequest _frozen = null!;

    [GlobalSetup]
    public void Setup()
    {
        var metrics = new MirrorMetrics();
        var settings = ProxyMirrorSettings.Default with { Concurrency = 1, QueueSize = 1 };
        _budget = new MirrorMemoryBudget(() => long.MaxValue);
        var failures = new MirrorFailureLog(TimeProvider.System, NullLogger.Instance);
        var sender = new MirrorSender(() => settings, TimeProvider.System);
        _dispatcher = new MirrorDispatcher(sender, () => settings, metrics, _budget, failures, TimeProvider.System, NullLogger<MirrorDispatcher>.Instance);

        // The draw always lands above the ratio: every request is sampled out.
        var runtime = new MirrorRuntime(_dispatcher, metrics, () => settings, () => 0.5, new MirrorMarker("bench"));
        var config = ProxyMirrorConfig.FromJson((JsonObject)JsonNode.Parse("""{"host":"http://127.0.0.1:9","sample_ratio":0.1}""")!);
        _sampledOut = ProxyMirrorHandler.Create(config, runtime, "1");
        _config = config.Targets[0];
        _targetMetrics = _sampledOut.Targets[0].Metrics;

        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/hello";
        http.Request.QueryString = new QueryString("?a=1");
        http.Request.Host = new HostString("example.test");
        http.Request.Headers["api-key"] = "hello";
        http.Request.Headers["User-Agent"] = "bench";
        http.Request.Headers["Accept"] = "*/*";
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        var route = new RouteModel { Id = "1", Config = new JsonObject(), Plugins = PluginChain.Empty };
        _context = new ProxyContext(http, route) { UpstreamHost = "example.test" };
        _frozen = (MirrorRequest)FreezeSampled();
    }

    [GlobalCleanup]
    public void Cleanup() => _dispatcher.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "before_proxy, request sampled out")]
    public void SampledOut() => _sampledOut.BeforeProxy(_context);

    [Benchmark(Description = "freeze a sampled request (headers + target)")]
    public object FreezeSampled()
    {
        var headers = MirrorHeaders.Freeze(_context, isGrpc: false, new MirrorMarker("bench"));
        return new MirrorRequest
        {
            Method = HttpMethod.Get,
            Origin = _config.Origin,
            PathAndQuery = _config.BuildPathAndQuery("/hello", "?a=1", null),
            Version = HttpVersion.Version11,
            Host = "example.test",
            Headers = headers,
            Metrics = _targetMetrics,
        };
    }

    [Benchmark(Description = "mirror leg: write a copy's request head")]
    public int WriteHead() => Http1RequestHead.Write(_frozen, _sendBuffer);

    [Benchmark(Description = "mirror leg: find the end of a copy's answer")]
    public int ParseAnswer()
    {
        _parser.Reset(headRequest: false);
        _parser.Parse(_answer, out var consumed);
        return consumed;
    }

    [Benchmark(Baseline = true, Description = "read a 256 KiB body, no tee")]
    public long ReadPlain() => Drain(new MemoryStream(_body, writable: false));

    [Benchmark(Description = "read a 256 KiB body through the tee")]
    public long ReadThroughTee()
    {
        var request = new MirrorRequest
        {
            Method = HttpMethod.Post,
            Origin = MirrorOrigin.Parse("http://127.0.0.1:9"),
            PathAndQuery = "/",
            Version = HttpVersion.Version11,
            Host = "example.test",
            Headers = [],
            Metrics = _targetMetrics,
        };

        // Declared length one byte longer than the body and no final read, so the copy is never
        // queued: this measures the copy, not the send. Disposing drops it and returns the buffers.
        using var tee = new MirrorTeeStream(new MemoryStream(_body, writable: false), new PendingMirror(request, _dispatcher, default),
            new MirrorBodyBuffer(_budget), maxBodySize: 1 << 20, declaredLength: _body.Length + 1L);
        return Drain(tee);
    }

    private long Drain(Stream stream)
    {
        long total = 0;
        while (total < _body.Length)
        {
            total += stream.Read(_readBuffer);
        }

        return total;
    }
}

// Sink: the benchmarks' upstream and mirror target.
//
//   Sink --port N [--delay-ms D]     HTTP/1.1 server on 127.0.0.1:N. Every request: read and discard
//                                    the body, wait D ms (async, no thread blocked), answer
//                                    200 "hello world\n". GET /__stats answers the counters as JSON
//                                    (requests, body_bytes, in_flight, max_in_flight, exact,
//                                    altered, cut, mismatched); /__stats itself is not counted. This is the
//                                    mirror's "log" that the arrival percentage is computed from.
//                                    A request with an X-Body-Sha256 header (hex) has its body
//                                    hashed as it is read: `exact` counts bodies that match it,
//                                    `altered` whole bodies that differ, `cut` bodies that end
//                                    early, `mismatched` the last two together.
//        [--early-answer]            answer before reading the body (as nginx's `return 200;`),
//                                    then read and check it.
//        [--keepalive-requests K]    answer the K-th request of each connection with
//                                    `Connection: close` and close it (nginx's keepalive_requests).
//        [--json]                    answer a fixed 1 KiB JSON document (application/json) instead of
//                                    "hello world\n": what a compared answer usually is.
//   Sink --port N --blackhole        a dead mirror: accepts TCP connections and never reads or answers.
//                                    Accepted sockets are closed after --hold-s seconds (default 300)
//                                    so a long run cannot exhaust file descriptors.
using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Connections.Features;
using System.Net.Sockets;
using System.Text;

var port = 0;
var delayMs = 0;
var blackhole = false;
var holdSeconds = 300;
var earlyAnswer = false;
var keepAliveRequests = 0;
var json = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[++i]); break;
        case "--delay-ms": delayMs = int.Parse(args[++i]); break;
        case "--blackhole": blackhole = true; break;
        case "--hold-s": holdSeconds = int.Parse(args[++i]); break;
        case "--early-answer": earlyAnswer = true; break;
        case "--keepalive-requests": keepAliveRequests = int.Parse(args[++i]); break;
        case "--json": json = true; break;
        default:
            // Leave other arguments (e.g. --Logging:...) to the host's configuration.
            break;
    }
}
if (port <= 0)
{
    Console.Error.WriteLine("usage: Sink --port N [--delay-ms D] [--early-answer] [--keepalive-requests K] [--json] | --port N --blackhole [--hold-s S]");
    return 2;
}

if (blackhole)
{
    await Blackhole.RunAsync(port, TimeSpan.FromSeconds(holdSeconds));
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, port);
    k.AddServerHeader = false;
    k.Limits.MaxConcurrentConnections = null;
    k.Limits.MaxConcurrentUpgradedConnections = null;
    k.Limits.MaxRequestBodySize = null;
    k.Limits.MinRequestBodyDataRate = null;
    k.Limits.KeepAliveTimeout = TimeSpan.FromMinutes(5);
});

var app = builder.Build();
var stats = new SinkStats();
var hello = json ? JsonAnswer.Body : "hello world\n"u8.ToArray();
var delay = TimeSpan.FromMilliseconds(delayMs);

app.Run(async ctx =>
{
    if (ctx.Request.Path.Equals("/__stats", StringComparison.Ordinal))
    {
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(stats.ToJson());
        return;
    }

    stats.Begin();
    try
    {
        if (keepAliveRequests > 0 && ConnectionRequests.Next(ctx) >= keepAliveRequests)
        {
            ctx.Response.Headers.Connection = "close";
        }

        if (earlyAnswer)
        {
            // The whole answer goes out (and is flushed) before a byte of the body is read.
            await AnswerAsync(ctx);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
        }

        var (total, exact) = await BodyCheck.ReadAsync(ctx.Request, ctx.RequestAborted);
        stats.AddBody(total, exact);

        if (delayMs > 0)
        {
            await Task.Delay(delay, ctx.RequestAborted);
        }

        if (!earlyAnswer)
        {
            await AnswerAsync(ctx);
        }
    }
    catch (Exception ex) when (ex is OperationCanceledException or IOException or BadHttpRequestException)
    {
        // The client went away or the body ended early (e.g. a mirror client gave up). Counted
        // as a request all the same, and as cut short when the body had a digest to meet: a
        // whole body that hashes wrong is "altered", one that never arrived whole is "cut".
        if (ctx.Request.Headers.ContainsKey(BodyCheck.DigestHeader))
        {
            stats.AddCut();
        }
    }
    finally
    {
        stats.End();
    }
});

await app.RunAsync();
return 0;

async Task AnswerAsync(HttpContext ctx)
{
    ctx.Response.StatusCode = 200;
    ctx.Response.ContentType = json ? "application/json" : "text/plain";
    ctx.Response.ContentLength = hello.Length;
    await ctx.Response.Body.WriteAsync(hello, ctx.RequestAborted);
}

sealed class SinkStats
{
    private long _requests;
    private long _bodyBytes;
    private long _inFlight;
    private long _maxInFlight;
    private long _exact;
    private long _altered;
    private long _cut;

    public void Begin()
    {
        Interlocked.Increment(ref _requests);
        var now = Interlocked.Increment(ref _inFlight);
        long max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) &&
               Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
    }

    /// <summary>Adds a whole body's bytes; <paramref name="exact"/> is null when it had no digest to check, false when it arrived altered.</summary>
    public void AddBody(long bytes, bool? exact)
    {
        Interlocked.Add(ref _bodyBytes, bytes);
        if (exact is { } matched)
        {
            Interlocked.Increment(ref matched ? ref _exact : ref _altered);
        }
    }

    /// <summary>A body with a digest to meet that ended early: its connection was cut (or reset) mid-body.</summary>
    public void AddCut() => Interlocked.Increment(ref _cut);

    public void End() => Interlocked.Decrement(ref _inFlight);

    public string ToJson() =>
        $"{{\"requests\":{Volatile.Read(ref _requests)},\"body_bytes\":{Volatile.Read(ref _bodyBytes)}," +
        $"\"in_flight\":{Volatile.Read(ref _inFlight)},\"max_in_flight\":{Volatile.Read(ref _maxInFlight)}," +
        $"\"exact\":{Volatile.Read(ref _exact)},\"altered\":{Volatile.Read(ref _altered)},\"cut\":{Volatile.Read(ref _cut)}," +
        $"\"mismatched\":{Volatile.Read(ref _altered) + Volatile.Read(ref _cut)}}}\n";
}

/// <summary>Reads and drops a request body, checking it against the SHA-256 its client sent along.</summary>
static class BodyCheck
{
    public const string DigestHeader = "X-Body-Sha256";

    /// <summary>The body's length, and whether it matched its X-Body-Sha256 (null without one).</summary>
    public static async Task<(long Bytes, bool? Exact)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var expected = request.Headers[DigestHeader].ToString();
        using var hash = expected.Length > 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        long total = 0;
        try
        {
            int n;
            while ((n = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash?.AppendData(buffer, 0, n);
                total += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (total, hash is null ? null : string.Equals(Convert.ToHexString(hash.GetHashAndReset()), expected, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Counts requests per connection, for --keepalive-requests.</summary>
static class ConnectionRequests
{
    private sealed class Count
    {
        public int Value;
    }

    /// <summary>This request's number on its connection (1 for the first).</summary>
    public static int Next(HttpContext ctx)
    {
        var items = ctx.Features.Get<IConnectionItemsFeature>()!.Items;
        if (!items.TryGetValue(typeof(Count), out var value))
        {
            items[typeof(Count)] = value = new Count();
        }

        return ++((Count)value!).Value;
    }
}

static class Blackhole
{
    public static async Task RunAsync(int port, TimeSpan hold)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start(backlog: 4096);
        var held = new System.Collections.Concurrent.ConcurrentQueue<(Socket Socket, long Since)>();

        // Close sockets held longer than `hold`, oldest first (the queue is in accept order).
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            while (await timer.WaitForNextTickAsync())
            {
                var cutoff = Environment.TickCount64 - (long)hold.TotalMilliseconds;
                while (held.TryPeek(out var item) && item.Since < cutoff && held.TryDequeue(out item))
                {
                    item.Socket.Dispose();
                }
            }
        });

        Console.Out.WriteLine($"blackhole listening on 127.0.0.1:{port}");
        while (true)
        {
            var socket = await listener.AcceptSocketAsync();
            held.Enqueue((socket, Environment.TickCount64));
        }
    }
}

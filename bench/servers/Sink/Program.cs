// Sink: the benchmarks' upstream and mirror target.
//
//   Sink --port N [--delay-ms D]     HTTP/1.1 server on 127.0.0.1:N. Every request: read and discard
//                                    the body, wait D ms (async, no thread blocked), answer
//                                    200 "hello world\n". GET /__stats answers the counters as JSON
//                                    (requests, body_bytes, in_flight, max_in_flight); /__stats
//                                    itself is not counted. This is the mirror's "log" that the
//                                    arrival percentage is computed from.
//   Sink --port N --blackhole        a dead mirror: accepts TCP connections and never reads or answers.
//                                    Accepted sockets are closed after --hold-s seconds (default 300)
//                                    so a long run cannot exhaust file descriptors.
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;

var port = 0;
var delayMs = 0;
var blackhole = false;
var holdSeconds = 300;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[++i]); break;
        case "--delay-ms": delayMs = int.Parse(args[++i]); break;
        case "--blackhole": blackhole = true; break;
        case "--hold-s": holdSeconds = int.Parse(args[++i]); break;
        default:
            // Leave other arguments (e.g. --Logging:...) to the host's configuration.
            break;
    }
}
if (port <= 0)
{
    Console.Error.WriteLine("usage: Sink --port N [--delay-ms D] | --port N --blackhole [--hold-s S]");
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
var hello = "hello world\n"u8.ToArray();
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
        var body = ctx.Request.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        long total = 0;
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
            {
                total += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        stats.AddBody(total);

        if (delayMs > 0)
        {
            await Task.Delay(delay, ctx.RequestAborted);
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        ctx.Response.ContentLength = hello.Length;
        await ctx.Response.Body.WriteAsync(hello, ctx.RequestAborted);
    }
    catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
    {
        // The client went away (e.g. a mirror client gave up). Counted as a request all the same.
    }
    finally
    {
        stats.End();
    }
});

await app.RunAsync();
return 0;

sealed class SinkStats
{
    private long _requests;
    private long _bodyBytes;
    private long _inFlight;
    private long _maxInFlight;

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

    public void AddBody(long bytes) => Interlocked.Add(ref _bodyBytes, bytes);

    public void End() => Interlocked.Decrement(ref _inFlight);

    public string ToJson() =>
        $"{{\"requests\":{Volatile.Read(ref _requests)},\"body_bytes\":{Volatile.Read(ref _bodyBytes)}," +
        $"\"in_flight\":{Volatile.Read(ref _inFlight)},\"max_in_flight\":{Volatile.Read(ref _maxInFlight)}}}\n";
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

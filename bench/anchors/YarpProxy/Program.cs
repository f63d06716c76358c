// YarpProxy: the minimal YARP proxy the benchmarks compare MirrorGate with.
//
//   YarpProxy --port N --upstream http://127.0.0.1:P [--naive-mirror http://127.0.0.1:M]
//
// Direct forwarding (IHttpForwarder) of every request to the upstream with one long-lived
// HttpMessageInvoker over a SocketsHttpHandler set up as YARP's docs recommend. No routing,
// no transforms beyond HttpTransformer.Default, logging at Warning.
//
// --naive-mirror: the "naive fire-and-forget YARP mirror" of the proxy-mirror issue. Each request
// also sends an un-awaited copy (method, path+query, headers, body) to the mirror with a shared
// HttpClient: no queue bound, no concurrency cap, default timeouts. The request body is buffered
// whole to be able to send it twice. GET /__naive/stats answers the mirror counters as JSON
// (started, completed, failed, in_flight, max_in_flight). This is what MirrorGate must beat, not
// something to copy.
using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

var port = 0;
string? upstream = null;
string? naiveMirror = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port": port = int.Parse(args[++i]); break;
        case "--upstream": upstream = args[++i].TrimEnd('/'); break;
        case "--naive-mirror": naiveMirror = args[++i].TrimEnd('/'); break;
        default: break; // --Logging:... and the like go to the host's configuration
    }
}
if (port <= 0 || upstream is null)
{
    Console.Error.WriteLine("usage: YarpProxy --port N --upstream http://host:port [--naive-mirror http://host:port]");
    return 2;
}

var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k =>
{
    k.Listen(IPAddress.Loopback, port);
    k.AddServerHeader = false;
    k.Limits.MaxConcurrentConnections = null;
    k.Limits.MaxConcurrentUpgradedConnections = null;
});
builder.Services.AddHttpForwarder();

var app = builder.Build();
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();

// As YARP's direct forwarding docs recommend.
var invoker = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    EnableMultipleHttp2Connections = true,
    ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    ConnectTimeout = TimeSpan.FromSeconds(15),
});
var requestConfig = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(100) };
var transformer = HttpTransformer.Default;

if (naiveMirror is null)
{
    app.Run(async ctx =>
    {
        var error = await forwarder.SendAsync(ctx, upstream, invoker, requestConfig, transformer);
        _ = error; // YARP already wrote 502/504 for failures; nothing else to do in an anchor.
    });
}
else
{
    var mirror = new NaiveMirror(naiveMirror);
    app.Run(async ctx =>
    {
        if (ctx.Request.Path.Equals("/__naive/stats", StringComparison.Ordinal))
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(mirror.StatsJson());
            return;
        }

        byte[]? body = null;
        if (ctx.Request.ContentLength > 0 || ctx.Request.Headers.TransferEncoding.Count > 0)
        {
            // Naive: buffer the whole body, then replay it for the primary.
            ctx.Request.EnableBuffering();
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms, ctx.RequestAborted);
            body = ms.ToArray();
            ctx.Request.Body.Position = 0;
        }

        mirror.FireAndForget(ctx.Request, body);
        await forwarder.SendAsync(ctx, upstream, invoker, requestConfig, transformer);
    });
}

await app.RunAsync();
return 0;

sealed class NaiveMirror(string baseUrl)
{
    private static readonly HashSet<string> SkipHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE",
        "Content-Length", "Content-Type",
    };

    private readonly HttpClient _client = new();
    private long _started;
    private long _completed;
    private long _failed;
    private long _inFlight;
    private long _maxInFlight;

    public void FireAndForget(HttpRequest request, byte[]? body)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method),
            baseUrl + request.PathBase + request.Path + request.QueryString);
        foreach (var header in request.Headers)
        {
            if (!SkipHeaders.Contains(header.Key))
            {
                message.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }
        message.Headers.Host = request.Host.Value;
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is { } contentType)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        Interlocked.Increment(ref _started);
        var now = Interlocked.Increment(ref _inFlight);
        long max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) &&
               Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }

        _ = SendAsync(message);
    }

    private async Task SendAsync(HttpRequestMessage message)
    {
        try
        {
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
            Interlocked.Increment(ref _completed);
        }
        catch (Exception)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            message.Dispose();
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public string StatsJson() =>
        $"{{\"started\":{Volatile.Read(ref _started)},\"completed\":{Volatile.Read(ref _completed)}," +
        $"\"failed\":{Volatile.Read(ref _failed)},\"in_flight\":{Volatile.Read(ref _inFlight)}," +
        $"\"max_in_flight\":{Volatile.Read(ref _maxInFlight)}}}\n";
}

using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 used as upstream or mirror: it records every request (method,
/// raw target, headers, whole body) and answers with what <see cref="Respond"/> says.
/// </summary>
internal sealed class RecordingServer : IAsyncDisposable
{
    private readonly Channel<RecordedRequest> _arrivals = Channel.CreateUnbounded<RecordedRequest>();
    private readonly ConcurrentQueue<RecordedRequest> _all = new();
    private TestServerHost? _host;

    public int Port => _host!.Port;

    public string Address => _host!.Address;

    public string Url => _host!.Url;

    /// <summary>How to answer; the default echoes "hello world\n" with 200 (APISIX's test upstream).</summary>
    public Func<HttpContext, Task> Respond { get; set; } = static http => http.Response.WriteAsync("hello world\n");

    public IReadOnlyList<RecordedRequest> Requests => _all.ToArray();

    public int Count => _all.Count;

    /// <param name="http2Only">Speaks HTTP/2 only (h2c, or h2 with <paramref name="https"/>).</param>
    /// <param name="https">Speaks TLS with a self-signed certificate (<see cref="TestServerHost.SelfSignedCertificate"/>); <see cref="Url"/> is then https.</param>
    public static async Task<RecordingServer> StartAsync(bool http2Only = false, bool https = false)
    {
        var server = new RecordingServer();
        server._host = await TestServerHost.StartAsync(http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1, app => app.Run(server.HandleAsync), https: https);
        return server;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var body = new MemoryStream();
        var complete = true;
        try
        {
            await request.Body.CopyToAsync(body, http.RequestAborted);
        }
        catch (Exception)
        {
            complete = false;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToString();
        }

        var raw = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var recorded = new RecordedRequest(request.Method, raw, request.Protocol, headers, body.ToArray(), complete, http.Connection.Id, request.Scheme);
        _all.Enqueue(recorded);
        _arrivals.Writer.TryWrite(recorded);
        if (complete)
        {
            await Respond(http);
        }
    }

    /// <summary>The next request to arrive (bounded wait).</summary>
    public async Task<RecordedRequest> NextAsync(TimeSpan? timeout = null)
        => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>Waits until at least <paramref name="count"/> requests arrived in total (bounded).</summary>
    public async Task WaitForCountAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected {count} requests at {Url}, got {Count}");
            }

            await Task.Delay(10);
        }
    }

    public ValueTask DisposeAsync() => _host!.DisposeAsync();
}

internal static class TimeSpanExtensions
{
    public static CancellationToken ToCancellationToken(this TimeSpan timeout) => new CancellationTokenSource(timeout).Token;
}

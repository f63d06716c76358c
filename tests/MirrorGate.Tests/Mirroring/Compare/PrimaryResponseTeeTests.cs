using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Mirroring.Compare;
using Yarp.ReverseProxy.Forwarder;

namespace MirrorGate.Tests.Mirroring.Compare;

/// <summary>
/// The primary's answer as the client got it: a Kestrel gateway installs the tee and forwards
/// with YARP's forwarder to a real upstream on 127.0.0.1; whatever the client receives (status,
/// headers, body) is what the tee hands over, with the body's first bytes and its total length;
/// an answer the client did not get whole (it went away, the upstream broke off mid-body) is
/// handed over as null, and the gateway's own 502 counts as the answer.
/// </summary>
public sealed class PrimaryResponseTeeTests : IAsyncLifetime
{
    private const int Limit = 1000;
    private static readonly byte[] Large = RandomBytes(300_000, seed: 1);
    private static readonly byte[] Chunked = RandomBytes(100_000, seed: 2);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<CapturedResponse?>> _captured = new();
    private readonly ConcurrentDictionary<string, int> _calls = new();
    private readonly TaskCompletionSource _clientHasHead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _upstreamSawAbort = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _upstream;
    private WebApplication? _gateway;
    private HttpClient? _client;
    private string _file = "";

    public async Task InitializeAsync()
    {
        _file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(_file, Large);
        _upstream = await StartAsync(app => app.Run(Upstream));
        var upstreamBase = Address(_upstream);
        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        });
        _gateway = await StartAsync(
            app => app.Run(async context =>
            {
                var key = context.Request.Path.Value!;
                var limit = context.Request.Query.TryGetValue("limit", out var l) ? int.Parse(l!, System.Globalization.CultureInfo.InvariantCulture) : Limit;
                PrimaryResponseTee.Install(context, limit, answer =>
                {
                    _calls.AddOrUpdate(key, 1, (_, n) => n + 1);
                    Captured(key).TrySetResult(answer);
                });
                if (key.StartsWith("/local/", StringComparison.Ordinal))
                {
                    await LocalAsync(context, key);
                    return;
                }

                var forwarder = context.RequestServices.GetRequiredService<IHttpForwarder>();
                await forwarder.SendAsync(context, upstreamBase, invoker);
            }),
            services => services.AddHttpForwarder());
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(Address(_gateway)),
        };
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }

        File.Delete(_file);
    }

    [Theory]
    [InlineData("/small")]
    [InlineData("/large")]
    [InlineData("/chunked")]
    [InlineData("/empty")]
    [InlineData("/no-content")]
    [InlineData("/not-found")]
    [InlineData("/exact")]
    [InlineData("/one-over")]
    [InlineData("/local/writer")]
    [InlineData("/local/file")]
    public async Task Forwarded_AnswerCompletes_CapturedEqualsWhatTheClientReceived(string path)
    {
        using var response = await _client!.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();

        var captured = await CapturedAsync(path);

        Assert.NotNull(captured);
        Assert.Equal((int)response.StatusCode, captured.Status);
        Assert.Equal(body.Length, captured.BodyLength);
        Assert.Equal(body.AsSpan(0, Math.Min(body.Length, Limit)).ToArray(), captured.Body.ToArray());
        Assert.Equal(body.Length > Limit, captured.Truncated);
        Assert.Equal(ClientHeaders(response), Describe(captured.Headers));
        Assert.Equal(1, _calls[path]);
    }

    [Fact]
    public async Task Forwarded_UpstreamHeaders_KeptAsSentWithRepeatedValuesApart()
    {
        using var response = await _client!.GetAsync("/small");
        await response.Content.ReadAsByteArrayAsync();

        var captured = await CapturedAsync("/small");

        Assert.Equal(["a", "b"], Header(captured!, "X-Multi")!);
        Assert.Equal(["up"], Header(captured!, "X-Upstream")!);
        Assert.Equal(["5"], Header(captured!, "Content-Length")!);
        Assert.Equal("hello"u8.ToArray(), captured!.Body.ToArray());
    }

    [Fact]
    public async Task Forwarded_LargeBody_BodyOfTheRequestedLimitKept()
    {
        using var response = await _client!.GetAsync("/large?limit=65536");
        var body = await response.Content.ReadAsByteArrayAsync();

        var captured = await CapturedAsync("/large");

        Assert.Equal(Large, body);
        Assert.Equal(Large.AsSpan(0, 65536).ToArray(), captured!.Body.ToArray());
        Assert.Equal(Large.Length, captured.BodyLength);
    }

    [Fact]
    public async Task Forwarded_LimitZero_NothingKeptEveryByteCounted()
    {
        using var response = await _client!.GetAsync("/large?limit=0");
        var body = await response.Content.ReadAsByteArrayAsync();

        var captured = await CapturedAsync("/large");

        Assert.Equal(Large.Length, body.Length);
        Assert.Equal(0, captured!.Body.Length);
        Assert.Equal(Large.Length, captured.BodyLength);
    }

    [Fact]
    public async Task Forwarded_HeadRequest_HeadersWithTheGetsLengthNoBody()
    {
        using var response = await _client!.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/large"));
        var body = await response.Content.ReadAsByteArrayAsync();

        var captured = await CapturedAsync("/large");

        Assert.Empty(body);
        Assert.Equal(200, captured!.Status);
        Assert.Equal(0, captured.BodyLength);
        Assert.Equal([Large.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)], Header(captured, "Content-Length")!);
        Assert.Equal(ClientHeaders(response), Describe(captured.Headers));
    }

    [Fact]
    public async Task Forwarded_UpstreamUnreachableBeforeAnswering_GatewaysOwn502Captured()
    {
        using var response = await _client!.GetAsync("/fail-before");
        await response.Content.ReadAsByteArrayAsync();

        var captured = await CapturedAsync("/fail-before");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(502, captured!.Status);
        Assert.Equal(0, captured.BodyLength);
    }

    [Fact]
    public async Task Forwarded_UpstreamBreaksOffMidBody_Null()
    {
        // The upstream resets only once the client has the head (a reset arriving first could
        // discard the head at the gateway, which would then answer 502 itself: a whole answer).
        using var response = await _client!.GetAsync("/reset-mid-body", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _clientHasHead.TrySetResult();

        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync());

        Assert.Null(await CapturedAsync("/reset-mid-body"));
        Assert.Equal(1, _calls["/reset-mid-body"]);
    }

    [Fact]
    public async Task Forwarded_ClientGoesAwayMidBody_Null()
    {
        var response = await _client!.GetAsync("/endless", HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var first = new byte[1000];
        await stream.ReadExactlyAsync(first);

        // Disposing an unfinished response closes its connection.
        response.Dispose();

        Assert.Null(await CapturedAsync("/endless"));
        await _upstreamSawAbort.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(1, _calls["/endless"]);
    }

    [Fact]
    public async Task Install_CallbackThrows_ClientStillGetsItsAnswerAndNextRequestWorks()
    {
        var gateway = await StartAsync(app => app.Run(async context =>
        {
            PrimaryResponseTee.Install(context, Limit, _ => throw new InvalidOperationException("the comparison broke"));
            context.Response.ContentLength = 2;
            await context.Response.WriteAsync("ok");
        }));
        await using (gateway)
        {
            using var client = new HttpClient { BaseAddress = new Uri(Address(gateway)) };
            Assert.Equal("ok", await client.GetStringAsync("/"));
            Assert.Equal("ok", await client.GetStringAsync("/"));
        }
    }

    private async Task Upstream(HttpContext context)
    {
        var response = context.Response;
        switch (context.Request.Path.Value)
        {
            case "/small":
                response.Headers.Append("X-Multi", "a");
                response.Headers.Append("X-Multi", "b");
                response.Headers["X-Upstream"] = "up";
                response.ContentType = "text/plain";
                response.ContentLength = 5;
                await response.WriteAsync("hello");
                break;
            case "/large":
                response.ContentLength = Large.Length;
                await response.Body.WriteAsync(Large);
                break;
            case "/chunked":
                for (var at = 0; at < Chunked.Length; at += 7000)
                {
                    await response.Body.WriteAsync(Chunked.AsMemory(at, Math.Min(7000, Chunked.Length - at)));
                    await response.Body.FlushAsync();
                }

                break;
            case "/empty":
                response.ContentLength = 0;
                break;
            case "/no-content":
                response.StatusCode = 204;
                response.Headers["X-Why"] = "nothing";
                break;
            case "/not-found":
                response.StatusCode = 404;
                await response.WriteAsync("no such thing");
                break;
            case "/exact":
                response.ContentLength = Limit;
                await response.Body.WriteAsync(Large.AsMemory(0, Limit));
                break;
            case "/one-over":
                response.ContentLength = Limit + 1;
                await response.Body.WriteAsync(Large.AsMemory(0, Limit + 1));
                break;
            case "/fail-before":
                context.Abort();
                break;
            case "/reset-mid-body":
                response.ContentLength = Large.Length;
                await response.Body.WriteAsync(Large.AsMemory(0, 20_000));
                await response.Body.FlushAsync();
                await _clientHasHead.Task.WaitAsync(TimeSpan.FromSeconds(15));
                context.Abort();
                break;
            case "/endless":
                try
                {
                    while (true)
                    {
                        await response.Body.WriteAsync(Large.AsMemory(0, 16 * 1024), context.RequestAborted);
                        await response.Body.FlushAsync(context.RequestAborted);
                    }
                }
                catch (Exception) when (context.RequestAborted.IsCancellationRequested)
                {
                    // The gateway let go of the upstream once the client had gone.
                }
                catch (IOException)
                {
                }

                _upstreamSawAbort.TrySetResult();
                break;
        }
    }

    private async Task LocalAsync(HttpContext context, string path)
    {
        if (path == "/local/writer")
        {
            // The writer's two ways: a buffer filled and advanced over, and a whole write.
            var writer = context.Response.BodyWriter;
            var span = writer.GetSpan(600);
            Large.AsSpan(0, 600).CopyTo(span);
            writer.Advance(600);
            await writer.WriteAsync(Large.AsMemory(600, 900));
            await writer.FlushAsync();
            return;
        }

        context.Response.ContentLength = 5000;
        await context.Response.SendFileAsync(_file, 100, 5000);
    }

    private TaskCompletionSource<CapturedResponse?> Captured(string key)
        => _captured.GetOrAdd(key, _ => new TaskCompletionSource<CapturedResponse?>(TaskCreationOptions.RunContinuationsAsynchronously));

    private Task<CapturedResponse?> CapturedAsync(string key) => Captured(key).Task.WaitAsync(TimeSpan.FromSeconds(15));

    private static string[]? Header(CapturedResponse answer, string name)
        => answer.Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Headers as "name: value" lines, names lower-cased, sorted: the client's and the tee's views compared as sets.</summary>
    private static string[] Describe(IEnumerable<KeyValuePair<string, string[]>> headers)
        => [.. headers.SelectMany(h => h.Value.Select(v => $"{h.Key.ToLowerInvariant()}: {v}")).Order(StringComparer.Ordinal)];

    private static string[] ClientHeaders(HttpResponseMessage response)
        => Describe(response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated)
            .Select(h => new KeyValuePair<string, string[]>(h.Key, [.. h.Value])));

    private async Task<WebApplication> StartAsync(Action<WebApplication> configure, Action<IServiceCollection>? services = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        services?.Invoke(builder.Services);
        var app = builder.Build();
        configure(app);
        await app.StartAsync();
        return app;
    }

    private static string Address(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

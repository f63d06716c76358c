using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>A real HTTP server on 127.0.0.1 that records the bodies mirror requests bring.</summary>
internal sealed class RecordingSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<byte[]> _bodies = Channel.CreateUnbounded<byte[]>();
    private int _received;

    private RecordingSink(WebApplication app) => _app = app;

    public string BaseUri { get; private set; } = "";

    public int Received => Volatile.Read(ref _received);

    public static async Task<RecordingSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var sink = new RecordingSink(app);
        app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            Interlocked.Increment(ref sink._received);
            sink._bodies.Writer.TryWrite(body.ToArray());
        });
        await app.StartAsync();
        sink.BaseUri = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return sink;
    }

    public async Task<byte[]> NextAsync() => await _bodies.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public MirrorRequest CreateRequest(MirrorMetrics metrics, string routeId) => new()
    {
        Method = HttpMethod.Post,
        Origin = MirrorOrigin.Parse(BaseUri),
        PathAndQuery = "/mirror",
        Version = new Version(1, 1),
        Host = "example.test",
        Headers = [],
        Metrics = new MirrorTargetMetrics(metrics, routeId, BaseUri),
    };

    public MirrorDispatcher CreateDispatcher(MirrorMetrics metrics, MirrorMemoryBudget budget)
        => TestDispatcher.Create(ProxyMirrorSettings.Default with { Concurrency = 4, QueueSize = 64 }, metrics, budget);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

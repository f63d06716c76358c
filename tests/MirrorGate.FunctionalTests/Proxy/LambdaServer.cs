using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>A real Kestrel upstream on 127.0.0.1 whose handler sees the request as it streams in (nothing buffered first).</summary>
internal sealed class LambdaServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LambdaServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<LambdaServer> StartAsync(RequestDelegate handler)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Limits.MaxRequestBodySize = null;
                k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1);
            });
            var app = builder.Build();
            app.Run(handler);
            try
            {
                await app.StartAsync();
                return new LambdaServer(app, port);
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2).ToCancellationToken());
        await _app.DisposeAsync();
    }
}

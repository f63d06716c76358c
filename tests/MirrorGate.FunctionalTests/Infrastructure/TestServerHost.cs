using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real Kestrel server on a free 127.0.0.1 port for the servers tests start (upstreams, mirrors,
/// gRPC and WebSocket servers): no logging, no body-size limit, retried when the port was taken
/// between picking and binding it.
/// </summary>
internal sealed class TestServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServerHost(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public string Url => $"http://127.0.0.1:{Port}";

    /// <param name="configureServices">Adds services before the app is built (e.g. gRPC).</param>
    /// <param name="configure">Maps the app's handlers.</param>
    public static async Task<TestServerHost> StartAsync(HttpProtocols protocols, Action<WebApplication> configure, Action<WebApplicationBuilder>? configureServices = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            configureServices?.Invoke(builder);
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Limits.MaxRequestBodySize = null;
                k.Limits.MinRequestBodyDataRate = null;
                k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = protocols);
            });
            var app = builder.Build();
            configure(app);
            try
            {
                await app.StartAsync();
                return new TestServerHost(app, port);
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

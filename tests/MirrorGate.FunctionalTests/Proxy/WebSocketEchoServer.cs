using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>A real Kestrel WebSocket server on 127.0.0.1 that echoes every message back with a prefix.</summary>
internal sealed class WebSocketEchoServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebSocketEchoServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Upgrade requests that reached the server (the rest answer 426 "websocket only").</summary>
    public int Upgrades => Volatile.Read(ref _upgrades);

    private int _upgrades;

    public static async Task<WebSocketEchoServer> StartAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1));
            var app = builder.Build();
            var server = new WebSocketEchoServer(app, port);
            app.UseWebSockets();
            app.Run(server.HandleAsync);
            try
            {
                await app.StartAsync();
                return server;
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    private async Task HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            await http.Response.WriteAsync("websocket only");
            return;
        }

        Interlocked.Increment(ref _upgrades);
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, http.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", http.RequestAborted);
                return;
            }

            // Messages in these tests fit one frame; echo each with a prefix so the client knows it went through the server.
            var echo = System.Text.Encoding.UTF8.GetBytes("echo:" + System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count));
            await socket.SendAsync(echo, received.MessageType, received.EndOfMessage, http.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2).ToCancellationToken());
        await _app.DisposeAsync();
    }
}

using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>A real Kestrel WebSocket server on 127.0.0.1 that echoes every message back with a prefix.</summary>
internal sealed class WebSocketEchoServer : IAsyncDisposable
{
    private TestServerHost? _host;
    private int _upgrades;

    public int Port => _host!.Port;

    public string Address => _host!.Address;

    /// <summary>Upgrade requests that reached the server (the rest answer 426 "websocket only").</summary>
    public int Upgrades => Volatile.Read(ref _upgrades);

    public static async Task<WebSocketEchoServer> StartAsync()
    {
        var server = new WebSocketEchoServer();
        server._host = await TestServerHost.StartAsync(HttpProtocols.Http1, app =>
        {
            app.UseWebSockets();
            app.Run(server.HandleAsync);
        });
        return server;
    }

    public ValueTask DisposeAsync() => _host!.DisposeAsync();

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

}

using System.Net.WebSockets;
using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>WebSocket upgrades through the gateway, on when the route says <c>enable_websocket</c>.</summary>
public sealed class WebSocketTests
{
    [Fact]
    public async Task Connect_RouteWithEnableWebsocket_MessagesEchoThroughGateway()
    {
        await using var echo = await WebSocketEchoServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/ws","enable_websocket":true,"upstream":{"type":"roundrobin","nodes":{"{{echo.Address}}":1} } }
            """);

        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.ProxyPort}/ws"), timeout.Token);

        var buffer = new byte[1024];
        foreach (var message in new[] { "one", "two", new string('x', 900) })
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            var received = await ReceiveWholeAsync(client, buffer, timeout.Token);
            Assert.Equal("echo:" + message, received);
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        Assert.Equal(WebSocketState.Closed, client.State);
        Assert.Equal(1, echo.Upgrades);
    }

    [Fact]
    public async Task Connect_RouteWithoutEnableWebsocket_UpgradeNotProxied()
    {
        await using var echo = await WebSocketEchoServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/ws","upstream":{"type":"roundrobin","nodes":{"{{echo.Address}}":1} } }
            """);

        using var client = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.ProxyPort}/ws"), timeout.Token));
        Assert.Equal(0, echo.Upgrades);
    }

    private static async Task<string> ReceiveWholeAsync(ClientWebSocket client, byte[] buffer, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        for (var frames = 0; frames < 1000; frames++)
        {
            var result = await client.ReceiveAsync(buffer, cancellationToken);
            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            if (result.EndOfMessage)
            {
                return text.ToString();
            }
        }

        throw new InvalidOperationException("message never ended");
    }
}

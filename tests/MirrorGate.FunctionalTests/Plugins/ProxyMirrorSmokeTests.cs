using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

public sealed class ProxyMirrorSmokeTests
{
    [Fact]
    public async Task Get_RouteWithMirror_UpstreamAnswersAndMirrorGetsCopy()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/hello","plugins":{"proxy-mirror":{"host":"{{mirror.Url}}"} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }
            """);

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/hello?a=1");
        request.Headers.Host = "127.0.0.2";
        request.Headers.Add("api-key", "hello");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        var mirrored = await mirror.NextAsync();
        Assert.Equal("/hello?a=1", mirrored.RawTarget);
        Assert.Equal("127.0.0.2", mirrored.Header("Host"));
        Assert.Equal("hello", mirrored.Header("api-key"));
        Assert.Equal("HTTP/1.1", mirrored.Protocol);
    }
}

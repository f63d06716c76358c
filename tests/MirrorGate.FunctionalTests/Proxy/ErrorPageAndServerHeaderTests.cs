using Microsoft.AspNetCore.Http;
using System.Net;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Hosting;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>The node's Server header on every answer, and nginx's error page on errors the gateway made itself.</summary>
public sealed class ErrorPageAndServerHeaderTests
{
    private static readonly string Versioned = $"MirrorGate/{CommandLine.Version}";

    [Fact]
    public async Task DeadUpstream_502WithHtmlErrorPageAndServerHeader()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var deadPort = FreePort.Next();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/dead","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{deadPort}}":1} } }""");

        using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/dead");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>MirrorGate</center>\r\n</body>\r\n</html>\r\n",
            await response.Content.ReadAsStringAsync());
        Assert.Equal(Versioned, response.Headers.Server.ToString());
        Assert.Equal("502", response.Headers.GetValues("X-APISIX-Upstream-Status").Single());
    }

    [Fact]
    public async Task UpstreamTimeout_504WithGatewayTimeoutPage()
    {
        var release = new TaskCompletionSource();
        await using var slow = await LambdaServer.StartAsync(async http =>
        {
            await release.Task.WaitAsync(http.RequestAborted);
        });
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/slow","timeout":{"connect":1,"send":1,"read":0.2},
             "upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{slow.Port}}":1} } }
            """);

        using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/slow");
        release.TrySetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Contains("<center><h1>504 Gateway Time-out</h1></center>", await response.Content.ReadAsStringAsync());
        Assert.Equal(Versioned, response.Headers.Server.ToString());
    }

    [Fact]
    public async Task UpstreamAnswer_ServerHeaderReplacedBodyUntouched()
    {
        await using var upstream = await LambdaServer.StartAsync(async http =>
        {
            http.Response.StatusCode = 503;
            http.Response.Headers.Server = "upstream/1.0";
            await http.Response.WriteAsync("upstream's own 503");
        });
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/up","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{upstream.Port}}":1} } }""");

        using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/up");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("upstream's own 503", await response.Content.ReadAsStringAsync());
        Assert.Equal(Versioned, response.Headers.Server.ToString());
    }

    [Fact]
    public async Task NoRouteAndAdminApi_CarryServerHeader()
    {
        await using var gateway = await GatewayNode.StartAsync();

        using var notFound = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/nothing-here");
        using var admin = await gateway.Admin.GetAsync("/apisix/admin/routes");

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal(Versioned, notFound.Headers.Server.ToString());
        Assert.Equal(Versioned, admin.Headers.Server.ToString());
    }
}

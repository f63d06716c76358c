using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>What the upstream receives and what the client gets back when the upstream fails.</summary>
public sealed class ForwardingTests
{
    [Fact]
    public async Task Get_DefaultRoute_UpstreamGetsClientHostAndApisixForwardedHeaders()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/fwd","upstream":{{ProxyKit.To(upstream)}} }""");

        await gateway.BodyAsync("/fwd?q=1&r=%2F", host: "Api.Test:8443", configure: r => r.Headers.Add("X-Forwarded-For", "10.1.2.3"));

        var seen = await upstream.NextAsync();
        Assert.Equal("/fwd?q=1&r=%2F", seen.RawTarget);
        Assert.Equal("Api.Test:8443", seen.Header("Host"));
        Assert.Equal("10.1.2.3, 127.0.0.1", seen.Header("X-Forwarded-For"));
        Assert.Equal("127.0.0.1", seen.Header("X-Real-IP"));
        Assert.Equal("http", seen.Header("X-Forwarded-Proto"));
        Assert.Equal("api.test", seen.Header("X-Forwarded-Host"));
        Assert.Equal(gateway.ProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture), seen.Header("X-Forwarded-Port"));
    }

    [Fact]
    public async Task Get_NoClientForwardedFor_UpstreamGetsClientAddressOnly()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/fwd","upstream":{{ProxyKit.To(upstream)}} }""");

        await gateway.BodyAsync("/fwd");

        var seen = await upstream.NextAsync();
        Assert.Equal("127.0.0.1", seen.Header("X-Forwarded-For"));
        Assert.Equal($"127.0.0.1:{gateway.ProxyPort}", seen.Header("Host"));
        Assert.Equal("127.0.0.1", seen.Header("X-Forwarded-Host"));
    }

    [Theory]
    [InlineData("/enc/a%20b/c%2Fd?x=%41&y=a+b")]
    [InlineData("/enc/%E4%BD%A0?q=%zz&&x")]
    [InlineData("/enc//double//slash?")]
    public async Task Get_EncodedTarget_UpstreamGetsItVerbatim(string target)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/enc/*","upstream":{{ProxyKit.To(upstream)}} }""");

        using var request = new HttpRequestMessage(HttpMethod.Get, RawTargetUri(gateway, target));
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(target, (await upstream.NextAsync()).RawTarget);
    }

    [Theory]
    [InlineData("pass", null, "client.test")]
    [InlineData("node", null, "{node}")]
    [InlineData("rewrite", "rewritten.test", "rewritten.test")]
    public async Task Get_PassHostMode_UpstreamGetsExpectedHost(string passHost, string? upstreamHost, string expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var extra = upstreamHost is null ? "" : $$""","upstream_host":"{{upstreamHost}}" """;
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/h","upstream":{"type":"roundrobin","pass_host":"{{passHost}}"{{extra}},"nodes":{"{{upstream.Address}}":1} } }
            """);

        await gateway.BodyAsync("/h", host: "client.test");

        Assert.Equal(expected.Replace("{node}", upstream.Address), (await upstream.NextAsync()).Header("Host"));
    }

    [Fact]
    public async Task Get_UpstreamRefusesConnections_502()
    {
        var closedPort = FreePort.Next();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/down","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{closedPort}}":1} } }""");

        var (status, _) = await gateway.SendAsync("/down");

        Assert.Equal(502, status);
    }

    [Fact]
    public async Task Get_UpstreamSlowerThanRouteReadTimeout_504AfterTheTimeout()
    {
        await using var slow = await SlowAsync(TimeSpan.FromSeconds(3));
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/slow","timeout":{"connect":1,"send":1,"read":1},"upstream":{{ProxyKit.To(slow)}} }""");

        var started = Stopwatch.GetTimestamp();
        var (status, _) = await gateway.SendAsync("/slow");
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(504, status);
        Assert.InRange(elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(2.8));
        Assert.Equal(1, slow.Count);
    }

    [Fact]
    public async Task Get_UpstreamSlowerThanUpstreamReadTimeout_504()
    {
        await using var slow = await SlowAsync(TimeSpan.FromSeconds(3));
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutAsync("/apisix/admin/upstreams/u1", $$"""{"type":"roundrobin","timeout":{"connect":1,"send":1,"read":1},"nodes":{"{{slow.Address}}":1} }""");
        await gateway.PutRouteAsync("1", """{"uri":"/slow","upstream_id":"u1"}""");

        var started = Stopwatch.GetTimestamp();
        var (status, _) = await gateway.SendAsync("/slow");

        Assert.Equal(504, status);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2.8), "the upstream's read timeout (1 s) was not applied");
    }

    [Fact]
    public async Task Get_UpstreamAnswers5xx_ClientGetsItWithUpstreamStatusHeader()
    {
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = http =>
        {
            http.Response.StatusCode = http.Request.Path == "/ok" ? 200 : 503;
            return http.Response.WriteAsync("upstream says " + http.Response.StatusCode);
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/*","upstream":{{ProxyKit.To(upstream)}} }""");

        using var failed = await gateway.Client.GetAsync(gateway.ProxyUrl + "/fail");
        using var ok = await gateway.Client.GetAsync(gateway.ProxyUrl + "/ok");

        Assert.Equal(503, (int)failed.StatusCode);
        Assert.Equal("upstream says 503", await failed.Content.ReadAsStringAsync());
        Assert.Equal("503", Assert.Single(failed.Headers.GetValues("X-APISIX-Upstream-Status")));
        Assert.Equal(200, (int)ok.StatusCode);
        Assert.False(ok.Headers.Contains("X-APISIX-Upstream-Status"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Post_20MiBBody_ArrivesIntact(bool withContentLength)
    {
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = http => http.Response.WriteAsync(http.Request.Headers.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "chunked");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/upload","upstream":{{ProxyKit.To(upstream)}} }""");
        var payload = new byte[20 * 1024 * 1024];
        new Random(20).NextBytes(payload);

        using var content = withContentLength ? (HttpContent)new ByteArrayContent(payload) : new StreamContent(new UnknownLengthStream(payload));
        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/upload", content);

        Assert.Equal(200, (int)response.StatusCode);
        var seen = await upstream.NextAsync();
        Assert.True(seen.BodyComplete);
        Assert.Equal(payload.Length, seen.Body.Length);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(seen.Body));
        Assert.Equal(withContentLength ? payload.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : "chunked", await response.Content.ReadAsStringAsync());
    }

    /// <summary>A request URI the client sends exactly as written (no unescaping or dot-segment removal).</summary>
    private static Uri RawTargetUri(GatewayNode gateway, string target)
        => new(gateway.ProxyUrl + target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    private static async Task<RecordingServer> SlowAsync(TimeSpan delay)
    {
        var server = await RecordingServer.StartAsync();
        server.Respond = async http =>
        {
            try
            {
                await Task.Delay(delay, http.RequestAborted);
                await http.Response.WriteAsync("late");
            }
            catch (OperationCanceledException)
            {
            }
        };
        return server;
    }

    /// <summary>A body whose length the client does not know, so it goes out chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

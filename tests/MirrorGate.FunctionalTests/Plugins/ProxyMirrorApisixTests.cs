using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's proxy-mirror test list (t/plugin/proxy-mirror.t), asserted on what the upstream and the
/// mirror actually received rather than on log lines.
/// </summary>
public sealed class ProxyMirrorApisixTests
{
    [Fact]
    public async Task Get_Hello_MirrorGetsHelloOverHttp11()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        var mirrored = await mirror.NextAsync();
        Assert.Equal("GET", mirrored.Method);
        Assert.Equal("/hello", mirrored.RawTarget);
        Assert.Equal("HTTP/1.1", mirrored.Protocol);
        Assert.Equal("/hello", (await upstream.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Get_SampleRatioOne_MirrorGetsPathAndQuery()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}","sample_ratio":1 """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?sample_ratio=1");

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("/hello?sample_ratio=1", (await mirror.NextAsync()).RawTarget);
    }

    [Theory]
    [InlineData("replace", "/hello", "/a")]
    [InlineData("replace", "/hello?a=1", "/a?a=1")]
    [InlineData("prefix", "/hello", "/a/hello")]
    [InlineData("prefix", "/hello?a=1", "/a/hello?a=1")]
    public async Task Get_PathWithConcatMode_MirrorGetsBuiltTargetAndUpstreamUnchanged(string mode, string requested, string expectedAtMirror)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}","path":"/a","path_concat_mode":"{{mode}}" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + requested);

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(expectedAtMirror, (await mirror.NextAsync()).RawTarget);
        Assert.Equal(requested, (await upstream.NextAsync()).RawTarget);
    }

    [Theory]
    [InlineData("/hello%20x?q=a%20b&r=%2F")]
    [InlineData("/hello/a%2Fb")]
    [InlineData("/hello/%41?x=%41")]
    public async Task Get_PercentEncodedPathAndQuery_MirrorGetsThemAsSent(string requested)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello*", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(new Uri(gateway.ProxyUrl + requested, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));

        Assert.Equal(200, (int)response.StatusCode);
        // The upstream side of this is the forwarding tests' concern; the mirror keeps the target as sent.
        Assert.Equal(requested, (await mirror.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Get_ClientHeadersAndHost_MirrorGetsThemAsUpstreamDoes()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/uri", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/uri");
        request.Headers.Host = "127.0.0.2";
        request.Headers.Add("api-key", "hello");
        request.Headers.Add("api-key2", "world");
        request.Headers.Add("name", "jake");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        var atUpstream = await upstream.NextAsync();
        var atMirror = await mirror.NextAsync();
        foreach (var (name, value) in new[] { ("api-key", "hello"), ("api-key2", "world"), ("name", "jake"), ("Host", "127.0.0.2"), ("X-Real-IP", "127.0.0.1") })
        {
            Assert.Equal(value, atUpstream.Header(name));
            Assert.Equal(value, atMirror.Header(name));
        }

        foreach (var name in new[] { "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Port", "X-Real-IP" })
        {
            Assert.NotNull(atUpstream.Header(name));
            Assert.Equal(atUpstream.Header(name), atMirror.Header(name));
        }

        // Beyond the listed ones: the mirror gets exactly the upstream's header set, and the marker.
        Assert.Equal(HeaderLines(atUpstream), HeaderLinesBesideMarker(atMirror, gateway));
    }

    [Fact]
    public async Task Get_ClientSentForwardedHeaders_MirrorGetsTheUpstreamsValues()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/uri", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/uri");
        request.Headers.Add("X-Forwarded-For", "10.0.0.1");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "example.com");
        request.Headers.Add("X-Forwarded-Port", "443");
        request.Headers.Add("X-Real-IP", "10.9.9.9");
        request.Headers.Add("X-Forwarded-Prefix", "/p");
        using var response = await gateway.Client.SendAsync(request);

        var atUpstream = await upstream.NextAsync();
        var atMirror = await mirror.NextAsync();
        Assert.Equal("10.0.0.1, 127.0.0.1", atUpstream.Header("X-Forwarded-For"));
        Assert.Equal(HeaderLines(atUpstream), HeaderLinesBesideMarker(atMirror, gateway));
    }

    [Theory]
    [InlineData("node")]
    [InlineData("rewrite")]
    [InlineData("pass")]
    public async Task Get_PassHost_MirrorHostEqualsUpstreamHost(string passHost)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var extra = passHost == "rewrite" ? ""","pass_host":"rewrite","upstream_host":"up.example" """ : $$""","pass_host":"{{passHost}}" """;
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address, extra));

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/hello");
        request.Headers.Host = "client.example";
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        var expected = passHost switch
        {
            "node" => upstream.Address,
            "rewrite" => "up.example",
            _ => "client.example",
        };
        Assert.Equal(expected, (await upstream.NextAsync()).Header("Host"));
        Assert.Equal(expected, (await mirror.NextAsync()).Header("Host"));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task Send_MethodWithBody_MirrorGetsSameMethodAndBody(string method)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var request = new HttpRequestMessage(new HttpMethod(method), gateway.ProxyUrl + "/hello");
        request.Content = new StringContent("""{"name":"jake"}""", Encoding.UTF8, "application/json");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        var atUpstream = await upstream.NextAsync();
        var atMirror = await mirror.NextAsync();
        Assert.Equal(method, atUpstream.Method);
        Assert.Equal(method, atMirror.Method);
        Assert.Equal("""{"name":"jake"}""", Encoding.UTF8.GetString(atMirror.Body));
        Assert.Equal(atUpstream.Body, atMirror.Body);
        Assert.Equal(atUpstream.Header("Content-Type"), atMirror.Header("Content-Type"));
        Assert.Equal(atUpstream.Header("Content-Length"), atMirror.Header("Content-Length"));
    }

    [Fact]
    public async Task Get_SampleRatioHalfOver2000Requests_MirroredCountWithinFiveSigma()
    {
        const int Requests = 2000;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}","sample_ratio":0.5 """, upstream.Address));

        var next = 0;
        var ok = 0;
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= Requests)
            {
                using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?sample_ratio=0.5");
                if ((int)response.StatusCode == 200 && await response.Content.ReadAsStringAsync() == "hello world\n")
                {
                    Interlocked.Increment(ref ok);
                }
            }
        });
        await Task.WhenAll(workers);

        Assert.Equal(Requests, ok);
        var sampled = await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total", Label("route", "1"));

        // Binomial(2000, 0.5): mean 1000, sd sqrt(500) ≈ 22.4; ±5 sd fails a correct build < 1e-6 of runs.
        Assert.InRange(sampled, 888, 1112);
        await mirror.WaitForCountAsync((int)sampled, TimeSpan.FromSeconds(30));
        await WaitForMetricAsync(gateway, sampled, "mirrorgate_mirror_sent_total", Label("status_class", "2xx"));
        Assert.Equal((int)sampled, mirror.Count);
        Assert.All(mirror.Requests, r => Assert.Equal("/hello?sample_ratio=0.5", r.RawTarget));
        Assert.Equal(Requests, upstream.Count);
    }

    [Fact]
    public async Task Get_UnresolvableMirrorHost_PrimaryAnswersAndErrorIsLoggedAtBoundedRate()
    {
        const int Requests = 30;
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", """ "host":"http://not-find-domian.notfind","path":"/get" """, upstream.Address));

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        }

        // Every copy ends as a resolve failure until the circuit breaker opens, then as a drop.
        var (failed, dropped) = await WaitForUnreachableOutcomesAsync(gateway, Requests, "resolve");
        Assert.Equal(Requests, failed + dropped);
        Assert.True(failed >= MirrorGate.Mirroring.MirrorCircuit.Threshold, $"failed {failed}");
        const string Line = "dns resolver resolves domain: not-find-domian.notfind error:";
        await gateway.Logs.WaitForAsync(Line);
        Assert.True(gateway.Logs.Contains(Line, LogLevel.Error));

        // At most 5 lines per 10 s window, not one per request.
        var windows = 1 + (int)(clock.Elapsed.TotalSeconds / 10);
        Assert.InRange(gateway.Logs.Count(Line), 1, 5 * windows);
    }

    [Fact]
    public async Task Get_NoRoute_404AndNotMirrored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using (var refused = await gateway.Client.GetAsync(gateway.ProxyUrl + "/nope"))
        {
            Assert.Equal(404, (int)refused.StatusCode);
        }

        using (var served = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello"))
        {
            Assert.Equal(200, (int)served.StatusCode);
        }

        Assert.Equal("/hello", (await mirror.NextAsync()).RawTarget);
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_sent_total");
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
        Assert.Equal(1, mirror.Count);
    }

    [Fact]
    public async Task Get_UpstreamUnreachable_502AndStillMirrored()
    {
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var deadUpstream = $"127.0.0.1:{FreePort.Next()}";
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, deadUpstream));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?x=1");

        Assert.Equal(502, (int)response.StatusCode);
        var mirrored = await mirror.NextAsync();
        Assert.Equal("GET", mirrored.Method);
        Assert.Equal("/hello?x=1", mirrored.RawTarget);
    }

    [Fact]
    public async Task Get_UpstreamAnswers500_MirroredAndPrimaryKeeps500()
    {
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static http => { http.Response.StatusCode = 500; return http.Response.WriteAsync("boom"); };
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(500, (int)response.StatusCode);
        Assert.Equal("boom", await response.Content.ReadAsStringAsync());
        Assert.Equal("/hello", (await mirror.NextAsync()).RawTarget);
    }
}

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

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/down");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("502", UpstreamStatus(response));
    }

    [Fact]
    public async Task Get_AllNodesRefuseWithRetriesToSpare_502WithEveryAttemptsStatus()
    {
        int closedA = FreePort.Next(), closedB = FreePort.Next();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/down","upstream":{"type":"roundrobin","retries":5,"nodes":{"127.0.0.1:{{closedA}}":1,"127.0.0.1:{{closedB}}":1} } }
            """);

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/down");

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("502, 502", UpstreamStatus(response));
    }

    [Fact]
    public async Task Get_UpstreamSlowerThanRouteReadTimeout_504AfterTheTimeout()
    {
        await using var slow = await SlowAsync(TimeSpan.FromSeconds(3));
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/slow","timeout":{"connect":1,"send":1,"read":1},"upstream":{{ProxyKit.To(slow)}} }""");

        var started = Stopwatch.GetTimestamp();
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/slow");
        var elapsed = Stopwatch.GetElapsedTime(started);

        Assert.Equal(504, (int)response.StatusCode);
        Assert.Equal("504", UpstreamStatus(response));
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

    [Fact]
    public async Task Post_BodyTrickling_UpstreamReadsItBeforeTheClientFinishes()
    {
        // The client holds back the rest of its body until the upstream has read half of the first
        // part: a gateway that buffered whole bodies would never let that happen (the test times
        // out). Half, because the last few KiB before a pause may wait in the upstream connection's
        // write buffer until more body arrives (the forwarder flushes per write only for gRPC).
        var firstPartArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        const int firstPart = 256 * 1024;
        await using var upstream = await LambdaServer.StartAsync(async http =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                total += read;
                if (total >= firstPart / 2)
                {
                    firstPartArrived.TrySetResult();
                }
            }

            await http.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/stream","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        using var content = new StreamContent(new GatedStream(firstPart, firstPartArrived.Task, firstPart * 3));
        using var response = await gateway.Client.PostAsync(gateway.ProxyUrl + "/stream", content);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal((firstPart * 3).ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
    }

    private static string? UpstreamStatus(HttpResponseMessage response)
        => response.Headers.TryGetValues("X-APISIX-Upstream-Status", out var values) ? string.Join(",", values) : null;

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

    /// <summary>A body of <paramref name="total"/> bytes that stops after <paramref name="gateAt"/> bytes until <paramref name="gate"/> completes (bounded).</summary>
    private sealed class GatedStream(int gateAt, Task gate, int total) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position == gateAt)
            {
                await gate.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
            }

            var limit = _position < gateAt ? gateAt : total;
            var count = Math.Min(buffer.Length, limit - _position);
            buffer.Span[..count].Fill((byte)'x');
            _position += count;
            return count;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body whose length the client does not know, so it goes out chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Grpc;

/// <summary>
/// A node_listen item with enable_http2 serves HTTP/1.1 and h2c prior knowledge on the same port,
/// as APISIX's `http2 on` does.
/// </summary>
public sealed class H2cListenerTests
{
    // The HTTP/2 connection preface (RFC 9113 section 3.4).
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    [Fact]
    public async Task Get_Http11OnHttp2Port_UpstreamAnswers()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await StartWithRouteAsync(upstream);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.Http2Port}/hello")
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("/hello", (await upstream.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Get_H2cPriorKnowledgeOnHttp2Port_UpstreamAnswersOverHttp2()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await StartWithRouteAsync(upstream);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.Http2Port}/hello?a=1")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("/hello?a=1", (await upstream.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Get_BothProtocolsInterleavedOnHttp2Port_EveryRequestAnswered()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await StartWithRouteAsync(upstream);
        using var http1 = new HttpClient { DefaultRequestVersion = HttpVersion.Version11, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var http2 = new HttpClient { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var calls = Enumerable.Range(0, 20).Select(async i =>
        {
            var client = i % 2 == 0 ? http1 : http2;
            using var response = await client.GetAsync($"http://127.0.0.1:{gateway.Http2Port}/hello?i={i}");
            return (i, response.Version, Body: await response.Content.ReadAsStringAsync());
        });
        var results = await Task.WhenAll(calls);

        foreach (var (i, version, body) in results)
        {
            Assert.Equal("hello world\n", body);
            Assert.Equal(i % 2 == 0 ? HttpVersion.Version11 : HttpVersion.Version20, version);
        }

        Assert.Equal(20, upstream.Count);
    }

    [Fact]
    public async Task Post_Http11StartingLikePrefaceInPieces_UpstreamGetsRequest()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await StartWithRouteAsync(upstream);
        using var socket = await ConnectAsync(gateway.Http2Port!.Value);
        await using var stream = new NetworkStream(socket);

        // "P" is also the preface's first byte: the router must wait for more before choosing.
        await stream.WriteAsync("P"u8.ToArray());
        await stream.FlushAsync();
        await Task.Delay(100);
        await stream.WriteAsync(Encoding.ASCII.GetBytes("OST /hello HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"));

        var answer = await ReadToEndAsync(stream);
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        Assert.Contains("hello world\n", answer, StringComparison.Ordinal);
        var received = await upstream.NextAsync();
        Assert.Equal("POST", received.Method);
        Assert.Equal("abc", Encoding.ASCII.GetString(received.Body));
    }

    [Fact]
    public async Task Connect_PrefaceInPieces_ServerAnswersWithHttp2Settings()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await StartWithRouteAsync(upstream);
        using var socket = await ConnectAsync(gateway.Http2Port!.Value);
        await using var stream = new NetworkStream(socket);

        await stream.WriteAsync(Preface.AsMemory(0, 3));
        await stream.FlushAsync();
        await Task.Delay(100);
        await stream.WriteAsync(Preface.AsMemory(3));

        // An empty SETTINGS frame: length 0, type 4, flags 0, stream 0.
        await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });

        // The server's first frame must be its SETTINGS (type 4 on stream 0).
        var header = new byte[9];
        await stream.ReadExactlyAsync(header).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, header[3]);
        Assert.Equal(new byte[] { 0, 0, 0, 0 }, header[5..9]);
    }

    [Fact]
    public async Task Connect_ClosedBeforeAnyByte_PortKeepsServing()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await StartWithRouteAsync(upstream);
        for (var i = 0; i < 3; i++)
        {
            using var silent = await ConnectAsync(gateway.Http2Port!.Value);
            silent.Shutdown(SocketShutdown.Both);
        }

        using var response = await gateway.Client.GetAsync($"http://127.0.0.1:{gateway.Http2Port}/hello");

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Connect_InternalHandOffEndpointDirectly_ClosedWithoutAnswer()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await StartWithRouteAsync(upstream);
        const string Marker = "Internal h2c hand-off endpoint on ";
        await gateway.Logs.WaitForAsync(Marker);
        var line = gateway.Logs.Lines.First(l => l.Message.Contains(Marker, StringComparison.Ordinal)).Message;
        var address = IPEndPoint.Parse(line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..line.IndexOf(": it", StringComparison.Ordinal)]);
        Assert.Equal(IPAddress.Loopback, address.Address);

        string answer;
        try
        {
            // The abort can come so early that even the connect reports the reset.
            using var socket = await ConnectAsync(address.Port);
            await using var stream = new NetworkStream(socket);
            await stream.WriteAsync(Preface);
            await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });
            answer = await ReadToEndAsync(stream);
        }
        catch (Exception ex) when (ex is IOException || ex is SocketException { SocketErrorCode: not SocketError.ConnectionRefused })
        {
            // Aborted: a reset is as good as a close, as long as nothing was served.
            answer = "";
        }

        Assert.Equal("", answer);
        Assert.Equal(0, upstream.Count);
    }

    private static async Task<GatewayNode> StartWithRouteAsync(RecordingServer upstream)
    {
        var gateway = await GatewayNode.StartAsync(withHttp2Port: true);
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/hello","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }
            """);
        return gateway;
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    private static async Task<string> ReadToEndAsync(Stream stream)
    {
        using var all = new MemoryStream();
        await stream.CopyToAsync(all).WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(all.ToArray());
    }
}

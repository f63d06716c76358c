using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// RFC 9110 §7.6.1 at both hops: headers named in Connection and the connection-specific headers
/// the forwarder never sends stop at the gateway; the mirror gets exactly what the upstream gets,
/// plus the mirror marker.
/// </summary>
public sealed class ProxyMirrorHeaderTests
{
    [Fact]
    public async Task Get_HeadersNamedInConnection_NeitherUpstreamNorMirrorGetsThem()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/hello");
        request.Headers.TryAddWithoutValidation("Connection", "X-Secret, x-hop, X-Real-IP");
        request.Headers.Add("X-Secret", "s3cr3t");
        request.Headers.Add("X-Hop", "1");
        request.Headers.Add("X-Kept", "k");
        using var response = await gateway.Client.SendAsync(request);
        var atUpstream = await upstream.NextAsync();
        var atMirror = await mirror.NextAsync();

        Assert.Equal(200, (int)response.StatusCode);
        foreach (var copy in new[] { atUpstream, atMirror })
        {
            Assert.Null(copy.Header("X-Secret"));
            Assert.Null(copy.Header("X-Hop"));
            Assert.Equal("k", copy.Header("X-Kept"));

            // Naming a header the gateway writes does not strip the gateway's value.
            Assert.Equal("127.0.0.1", copy.Header("X-Real-IP"));
        }

        Assert.Equal(HeaderLines(atUpstream), HeaderLinesBesideMarker(atMirror, gateway));
    }

    [Fact]
    public async Task Get_ConnectionSpecificHeaders_MirrorGetsExactlyWhatUpstreamGets()
    {
        string[] notForwarded =
        [
            "HTTP2-Settings", "Upgrade-Insecure-Requests", "Keep-Alive", "Proxy-Features", "Proxy-Instruction",
            "Security-Scheme", "ALPN", "Close", "Alt-Svc", "Proxy-Authorization",
        ];
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/hello");
        foreach (var name in notForwarded)
        {
            request.Headers.TryAddWithoutValidation(name, "1");
        }

        request.Headers.Add("X-Kept", "k");
        using var response = await gateway.Client.SendAsync(request);
        var atUpstream = await upstream.NextAsync();
        var atMirror = await mirror.NextAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.All(notForwarded, name => Assert.Null(atUpstream.Header(name)));
        Assert.Equal("k", atMirror.Header("X-Kept"));
        Assert.Equal(HeaderLines(atUpstream), HeaderLinesBesideMarker(atMirror, gateway));
    }
}

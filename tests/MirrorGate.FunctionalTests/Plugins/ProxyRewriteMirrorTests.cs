using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.ProxyRewriteTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// proxy-rewrite beside proxy-mirror (APISIX's t/plugin/proxy-mirror2.t and issue #8167), with a
/// real upstream and a real mirror: the mirror's URI is fixed when proxy-mirror runs, so it sees a
/// rewritten URI only when <c>_meta.priority</c> puts proxy-rewrite first; the method, headers and
/// Host a rewrite sets reach the mirror either way, since the copy takes them when it starts.
/// </summary>
public sealed class ProxyRewriteMirrorTests
{
    private static string MirrorPlugin(string mirrorUrl, int? priority)
        => $$""","proxy-mirror":{"host":"{{mirrorUrl}}"{{(priority is { } p ? $$""","_meta":{"priority":{{p}}}""" : "")}} }""";

    [Theory]
    [InlineData("/nope", "/hello")]
    [InlineData("/nope?a=b&b=c&c=d", "/hello?a=b&b=c&c=d")]
    public async Task Get_RewriteMovedBeforeMirrorByMetaPriority_MirrorGetsRewrittenUri(string requested, string expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/nope", """ "uri":"/hello","_meta":{"priority":1010} """, upstream.Address, MirrorPlugin(mirror.Url, 1008)));

        var atUpstream = await GetThroughAsync(gateway, upstream, requested);

        Assert.Equal(expected, atUpstream.RawTarget);
        Assert.Equal(expected, (await mirror.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Get_DefaultPriorities_MirrorGetsClientUriUpstreamGetsRewritten()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/nope", """ "uri":"/hello" """, upstream.Address, MirrorPlugin(mirror.Url, null)));

        var atUpstream = await GetThroughAsync(gateway, upstream, "/nope?a=1");

        Assert.Equal("/hello?a=1", atUpstream.RawTarget);
        Assert.Equal("/nope?a=1", (await mirror.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Get_DefaultPriorities_MirrorGetsRewrittenMethodHeadersAndHost()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/hello",
            """ "host":"rewritten.test","method":"PUT","headers":{"set":{"X-Api-Version":"v2"},"remove":["X-Secret"]} """,
            upstream.Address, MirrorPlugin(mirror.Url, null)));

        var atUpstream = await GetThroughAsync(gateway, upstream, "/hello", ("X-Secret", "s3cr3t"));
        var atMirror = await mirror.NextAsync();

        foreach (var copy in new[] { atUpstream, atMirror })
        {
            Assert.Equal("PUT", copy.Method);
            Assert.Equal("rewritten.test", copy.Header("Host"));
            Assert.Equal("v2", copy.Header("X-Api-Version"));
            Assert.Null(copy.Header("X-Secret"));
        }
    }

    [Fact]
    public async Task Get_FilterOnRewrite_OnlyMatchingRequestsRewrittenForUpstreamAndMirror()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/nope",
            """ "uri":"/hello","_meta":{"priority":1010,"filter":[["arg_v","==","2"]]} """,
            upstream.Address, MirrorPlugin(mirror.Url, 1008)));

        var kept = await GetThroughAsync(gateway, upstream, "/nope?v=1");
        var rewritten = await GetThroughAsync(gateway, upstream, "/nope?v=2");

        Assert.Equal("/nope?v=1", kept.RawTarget);
        Assert.Equal("/hello?v=2", rewritten.RawTarget);
        await mirror.WaitForCountAsync(2);
        Assert.Equal(["/hello?v=2", "/nope?v=1"], mirror.Requests.Select(r => r.RawTarget).Order());
    }
}

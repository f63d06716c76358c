using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's key-auth documentation walkthrough (a consumer, its credential, a route) and
/// t/node/credential-plugin-*.t through a real gateway, upstream and mirror: the credential's key
/// authenticates as its consumer, whose own plugins still run, and both sides learn the credential.
/// </summary>
public sealed class KeyAuthCredentialApisixTests
{
    private static async Task<HttpResponseMessage> GetAsync(GatewayNode gateway, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await gateway.Client.SendAsync(request);
    }

    [Fact]
    public async Task DocWalkthrough_CredentialKey_Proxied_UpstreamAndMirrorLearnConsumerAndCredential()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/consumers", """{"username":"jack"}""")).Status);
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/consumers/jack/credentials", """{"id":"cred-jack-key-auth","plugins":{"key-auth":{"key":"jack-key"}}}""")).Status);
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/routes", $$"""{"id":"key-auth-route","uri":"/anything","plugins":{"key-auth":{},"proxy-mirror":{"host":"{{mirror.Url}}"} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""")).Status);

        using var response = await GetAsync(gateway, "/anything", ("apikey", "jack-key"), ("X-Credential-Identifier", "forged"));
        using var refused = await GetAsync(gateway, "/anything", ("apikey", "wrong-key"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(401, (int)refused.StatusCode);
        await mirror.WaitForCountAsync(1);
        foreach (var received in new[] { Assert.Single(upstream.Requests), Assert.Single(mirror.Requests) })
        {
            Assert.Equal("/anything", received.RawTarget);
            Assert.Equal("jack", received.Header("X-Consumer-Username"));
            Assert.Equal("cred-jack-key-auth", received.Header("X-Credential-Identifier"));
        }
    }

    [Fact]
    public async Task CredentialKey_ConsumersOwnPluginsStillRun()
    {
        // credential-plugin-work-with-other-plugin.t: the consumer's limit-count applies to its credential's requests.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(gateway, "/apisix/admin/consumers", """{"username":"jack","plugins":{"limit-count":{"count":1,"time_window":60,"rejected_code":503}}}""");
        await AdminCall.PutAsync(gateway, "/apisix/admin/consumers/jack/credentials/a", """{"plugins":{"key-auth":{"key":"jack-a"}}}""");
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","plugins":{"key-auth":{} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        using var first = await GetAsync(gateway, "/hello", ("apikey", "jack-a"));
        using var second = await GetAsync(gateway, "/hello", ("apikey", "jack-a"));

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(503, (int)second.StatusCode);
        Assert.Single(upstream.Requests);
    }

    [Fact]
    public async Task DeletedCredential_KeyRefused_ConsumersOwnKeySendsNoCredentialIdentifier()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(gateway, "/apisix/admin/consumers", """{"username":"jack","plugins":{"key-auth":{"key":"jack-own"}}}""");
        await AdminCall.PutAsync(gateway, "/apisix/admin/consumers/jack/credentials/a", """{"plugins":{"key-auth":{"key":"jack-a"}}}""");
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","plugins":{"key-auth":{} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");
        Assert.Equal(200, (await AdminCall.DeleteAsync(gateway, "/apisix/admin/consumers/jack/credentials/a")).Status);

        using var credential = await GetAsync(gateway, "/hello", ("apikey", "jack-a"));
        using var own = await GetAsync(gateway, "/hello", ("apikey", "jack-own"));

        Assert.Equal(401, (int)credential.StatusCode);
        Assert.Equal(200, (int)own.StatusCode);
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("jack", received.Header("X-Consumer-Username"));
        Assert.Null(received.Header("X-Credential-Identifier"));
    }
}

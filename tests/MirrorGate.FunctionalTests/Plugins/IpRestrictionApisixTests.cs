using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's ip-restriction tests (t/plugin/ip-restriction.t) through a real gateway and upstream;
/// the client is 127.0.0.1. A rejected request reaches neither the upstream nor a real mirror.
/// (The blocks that set the client address with X-Forwarded-For are in RealIpApisixTests.)
/// </summary>
public sealed class IpRestrictionApisixTests
{
    private static string Route(string restriction, string upstreamAddress, string extraPlugins = "", string uri = "/hello")
        => $$"""
            {"uri":"{{uri}}","plugins":{"ip-restriction":{ {{restriction}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    [Theory]
    // TEST 7-8, 12 and 15's shape, 19-21
    [InlineData(""" "whitelist":["127.0.0.0/24","113.74.26.106"] """)]
    [InlineData(""" "whitelist":["127.0.0.1"] """)]
    [InlineData(""" "blacklist":["10.255.254.0/24","192.168.0.0/16"] """)]
    [InlineData(""" "blacklist":["::1","fe80::/32"] """)]
    public async Task Get_ClientAllowed_Proxied(string restriction)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(restriction, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, upstream.Count);
    }

    [Theory]
    // TEST 10-11, 13, 27, 30, 33-34
    [InlineData(""" "whitelist":["10.255.254.0/24","192.168.0.0/16"] """, 403, "Your IP address is not allowed")]
    [InlineData(""" "whitelist":["::1","fe80::/32"] """, 403, "Your IP address is not allowed")]
    [InlineData(""" "blacklist":["127.0.0.0/24"] """, 403, "Your IP address is not allowed")]
    [InlineData(""" "blacklist":["127.0.0.0/24"],"message":"Do you want to do something bad?" """, 403, "Do you want to do something bad?")]
    [InlineData(""" "whitelist":["10.0.0.1"],"message":"Do you want to do something bad?","response_code":404 """, 404, "Do you want to do something bad?")]
    public async Task Get_ClientRefused_StatusAndMessageNotProxied(string restriction, int status, string message)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(restriction, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal($$"""{"message":"{{message}}"}""" + "\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task Get_ClientRefused_NotMirrored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var mirrorPlugin = $$""","proxy-mirror":{"host":"{{mirror.Url}}"}""";
        await gateway.PutRouteAsync("1", Route(""" "blacklist":["127.0.0.1"] """, upstream.Address, mirrorPlugin, "/refused"));
        await gateway.PutRouteAsync("2", Route(""" "whitelist":["127.0.0.1"] """, upstream.Address, mirrorPlugin, "/allowed"));

        using var refused = await gateway.Client.GetAsync(gateway.ProxyUrl + "/refused");
        using var allowed = await gateway.Client.GetAsync(gateway.ProxyUrl + "/allowed");
        await mirror.WaitForCountAsync(1);

        Assert.Equal(403, (int)refused.StatusCode);
        Assert.Equal(200, (int)allowed.StatusCode);
        Assert.Equal("/allowed", Assert.Single(upstream.Requests).RawTarget);
        Assert.Equal("/allowed", Assert.Single(mirror.Requests).RawTarget);
    }

    [Theory]
    // TEST 2-6, 24, 31-32, 35
    [InlineData(""" "whitelist":["10.255.256.0/24","192.168.0.0/16"] """, "property \"whitelist\" validation failed: failed to validate item 1: object matches none of the required")]
    [InlineData(""" "whitelist":["10.255.254.0/38","192.168.0.0/16"] """, "property \"whitelist\" validation failed: failed to validate item 1: object matches none of the required")]
    [InlineData(""" "blacklist":["::1","::ffff:1234:5678:12345"] """, "property \"blacklist\" validation failed: failed to validate item 2: object matches none of the required")]
    [InlineData("", "value should match only one schema, but matches none")]
    [InlineData(""" "blacklist":[] """, "property \"blacklist\" validation failed: expect array to have at least 1 items")]
    [InlineData(""" "whitelist":["172.17.40.0/24"],"blacklist":["10.255.0.0/16"] """, "value should match only one schema, but matches both schemas 1 and 2")]
    [InlineData(""" "whitelist":["127.0.0.1"],"message":"" """, "property \"message\" validation failed: string too short, expected at least 1, got 0")]
    [InlineData(""" "whitelist":["127.0.0.1"],"response_code":409 """, "property \"response_code\" validation failed: expected 409 to be at most 404")]
    [InlineData(""" "whitelist":[":/8"] """, "invalid ip address: :/8")]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string config, string expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route(config, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin ip-restriction err: " + expected);
    }

    [Fact]
    public async Task PutRoute_MessageOver1024_400()
    {
        // TEST 32
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route($$""" "whitelist":["127.0.0.1"],"message":"{{new string('a', 1025)}}" """, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin ip-restriction err: property \"message\" validation failed: string too long, expected at most 1024, got 1025");
    }
}

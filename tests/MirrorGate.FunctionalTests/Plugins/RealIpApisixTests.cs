using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's real-ip tests (t/plugin/real-ip.t) through a real gateway and upstream, with
/// ip-restriction deciding on the address real-ip set (as APISIX's tests do), and the address
/// reaching the upstream and a real mirror in X-Real-IP.
/// </summary>
public sealed class RealIpApisixTests
{
    private static string Route(string realIp, string upstreamAddress, string extraPlugins = "")
        => $$"""
            {"uri":"/hello","plugins":{"real-ip":{ {{realIp}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    private static string Whitelist(string address) => $$""","ip-restriction":{"whitelist":["{{address}}"]}""";

    private static async Task<int> GetAsync(GatewayNode gateway, string target = "/hello", params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + target);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await gateway.Client.SendAsync(request);
        return (int)response.StatusCode;
    }

    [Theory]
    // TEST 2-7
    [InlineData("1.1.1.1", 200)]
    [InlineData("1.1.1.1:80", 200)]
    [InlineData(null, 403)]
    [InlineData("1.1.1.1.1", 403)]
    [InlineData("1.1.1.1:65536", 403)]
    [InlineData("1.1.1.1:0", 403)]
    [InlineData("localhost", 403)]
    public async Task Get_SourceHeaderIpv4_RestrictionSeesIt(string? xff, int expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "source":"http_xff" """, upstream.Address, Whitelist("1.1.1.1")));

        Assert.Equal(expected, await GetAsync(gateway, headers: xff is null ? [] : [("XFF", xff)]));
    }

    [Theory]
    // TEST 8-11
    [InlineData("::2")]
    [InlineData("[::2]:80")]
    [InlineData("[::2]")]
    public async Task Get_SourceHeaderIpv6_RestrictionSeesIt(string xff)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "source":"http_xff" """, upstream.Address, Whitelist("::2")));

        Assert.Equal(200, await GetAsync(gateway, headers: ("XFF", xff)));
        Assert.Equal("::2", (await upstream.NextAsync()).Header("X-Real-IP"));
    }

    [Theory]
    // TEST 14-17
    [InlineData("::1, ::2", 200)]
    [InlineData("::1,::2", 200)]
    [InlineData("::2, ::1", 403)]
    [InlineData(null, 403)]
    public async Task Get_XForwardedFor_LastEntryIsClient(string? xff, int expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "source":"http_x_forwarded_for" """, upstream.Address, Whitelist("::2")));

        Assert.Equal(expected, await GetAsync(gateway, headers: xff is null ? [] : [("X-Forwarded-For", xff)]));
    }

    [Theory]
    // TEST 18-21: the header is believed only from a trusted peer (the test client is 127.0.0.1).
    [InlineData(""" "192.128.0.0/16" """, 403)]
    [InlineData(""" "192.128.0.0/16","127.0.0.0/24" """, 200)]
    public async Task Get_TrustedAddresses_HeaderUsedOnlyFromTrustedPeer(string trusted, int expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route($$""" "trusted_addresses":[{{trusted}}],"source":"http_x_forwarded_for" """, upstream.Address, Whitelist("1.1.1.1")));

        Assert.Equal(expected, await GetAsync(gateway, headers: ("X-Forwarded-For", "1.1.1.1")));
    }

    [Theory]
    // TEST 22-23, and without recursive the last entry
    [InlineData(true, "1.1.1.1, 192.128.1.1, 127.0.0.1", "1.1.1.1")]
    [InlineData(true, "2.2.2.2, 1.1.1.1, 127.0.0.1", "1.1.1.1")]
    [InlineData(true, "192.128.1.1, 127.0.0.1", "192.128.1.1")]
    [InlineData(false, "1.1.1.1, 192.128.1.1, 127.0.0.1", "127.0.0.1")]
    public async Task Get_Recursive_LastUntrustedEntryIsClient(bool recursive, string xff, string client)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route($$"""
            "trusted_addresses":["192.128.0.0/16","127.0.0.0/24"],"source":"http_x_forwarded_for","recursive":{{(recursive ? "true" : "false")}}
            """, upstream.Address));

        Assert.Equal(200, await GetAsync(gateway, headers: ("X-Forwarded-For", xff)));
        Assert.Equal(client, (await upstream.NextAsync()).Header("X-Real-IP"));
    }

    [Fact]
    public async Task Get_RealIp_UpstreamAndMirrorSeeClientInForwardedHeaders()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "source":"http_x_forwarded_for" """, upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}"}"""));

        Assert.Equal(200, await GetAsync(gateway, headers: ("X-Forwarded-For", "1.1.1.1")));

        var primary = await upstream.NextAsync();
        var copy = await mirror.NextAsync();
        Assert.Equal("1.1.1.1", primary.Header("X-Real-IP"));
        Assert.Equal("1.1.1.1, 1.1.1.1", primary.Header("X-Forwarded-For"));
        Assert.Equal("1.1.1.1", copy.Header("X-Real-IP"));
        Assert.Equal(primary.Header("X-Forwarded-For"), copy.Header("X-Forwarded-For"));
    }

    [Fact]
    public async Task Get_SourceArg_AddressFromQuery()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "source":"arg_realip" """, upstream.Address, Whitelist("10.0.0.9")));

        Assert.Equal(200, await GetAsync(gateway, "/hello?realip=10.0.0.9"));
        Assert.Equal(403, await GetAsync(gateway, "/hello?realip=10.0.0.8"));
    }

    [Fact]
    public async Task Get_NextRequestOnSameConnection_PeerAddressAgain()
    {
        // Kestrel resets the connection's address per request: real-ip's value must not leak to the next one.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "source":"http_xff" """, upstream.Address));

        Assert.Equal(200, await GetAsync(gateway, headers: ("XFF", "1.1.1.1")));
        Assert.Equal(200, await GetAsync(gateway));

        Assert.Equal("1.1.1.1", (await upstream.NextAsync()).Header("X-Real-IP"));
        var second = await upstream.NextAsync();
        Assert.Equal("127.0.0.1", second.Header("X-Real-IP"));
    }

    [Theory]
    // TEST 1
    [InlineData("", "property \"source\" is required")]
    [InlineData(""" "source":"http_xff","trusted_addresses":["127.0.0.1/33"] """, "property \"trusted_addresses\" validation failed: failed to validate item 1: object matches none of the required")]
    [InlineData(""" "source":"http_xff","trusted_addresses":["::1/129"] """, "invalid ip address: ::1/129")]
    [InlineData(""" "source":"" """, "property \"source\" validation failed: string too short, expected at least 1, got 0")]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string config, string expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route(config, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin real-ip err: " + expected);
    }
}

using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's request-id tests (t/plugin/request-id.t) against a real upstream and, where the id
/// must follow the copy, a real mirror: the upstream, the mirror and the client see one id.
/// </summary>
public sealed class RequestIdApisixTests
{
    private static string Route(string requestId, string upstreamAddress, string extraPlugins = "")
        => $$"""
            {"uri":"/opentracing","plugins":{"request-id":{ {{requestId}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    [Fact]
    public async Task Get_Default_SameUuidAtUpstreamMirrorAndClient()
    {
        // TEST 3-4, and the mirror: a copy can be matched with its primary by its id.
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("", upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}"}"""));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/opentracing");

        Assert.Equal(200, (int)response.StatusCode);
        var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
        Assert.Equal(id, (await upstream.NextAsync()).Header("X-Request-Id"));
        Assert.Equal(id, (await mirror.NextAsync()).Header("X-Request-Id"));
    }

    [Fact]
    public async Task Get_ManyRequests_IdsUnique()
    {
        // TEST 5
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("", upstream.Address));

        var ids = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/opentracing");
            ids.Add(response.Headers.GetValues("X-Request-Id").Single());
        }

        Assert.Equal(50, ids.Distinct().Count());
    }

    [Fact]
    public async Task Get_CustomHeaderName_IdUnderThatName()
    {
        // TEST 6-7
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "header_name":"Custom-Header-Name" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/opentracing");

        var id = Assert.Single(response.Headers.GetValues("Custom-Header-Name"));
        Assert.False(response.Headers.Contains("X-Request-Id"));
        Assert.Equal(id, (await upstream.NextAsync()).Header("Custom-Header-Name"));
    }

    [Fact]
    public async Task Get_IncludeInResponseFalse_OnlyUpstreamGetsId()
    {
        // TEST 8-9
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "include_in_response":false """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/opentracing");

        Assert.False(response.Headers.Contains("X-Request-Id"));
        Assert.NotNull((await upstream.NextAsync()).Header("X-Request-Id"));
    }

    [Fact]
    public async Task Get_ClientSendsId_EchoedAndForwarded()
    {
        // TEST 13-14
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "include_in_response":true """, upstream.Address));

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/opentracing");
        request.Headers.Add("X-Request-Id", "123");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal("123", response.Headers.GetValues("X-Request-Id").Single());
        Assert.Equal("123", (await upstream.NextAsync()).Header("X-Request-Id"));
    }

    [Fact]
    public async Task Get_ClientSendsEmptyId_NewIdMade()
    {
        // TEST 15-16
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "algorithm":"nanoid" """, upstream.Address));

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/opentracing");
        request.Headers.TryAddWithoutValidation("X-Request-Id", "");
        using var response = await gateway.Client.SendAsync(request);

        var id = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Matches("^[-_0-9a-zA-Z]{21}$", id);
        Assert.Equal(id, (await upstream.NextAsync()).Header("X-Request-Id"));
    }

    [Fact]
    public async Task Get_UpstreamAnswersWithItsOwnId_UpstreamsKept()
    {
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static http =>
        {
            http.Response.Headers["X-Request-Id"] = "from-upstream";
            return Task.CompletedTask;
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("", upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/opentracing");

        Assert.Equal("from-upstream", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Theory]
    [InlineData("uuidv7", "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    [InlineData("ksuid", "^[0-9a-zA-Z]{27}$")]
    [InlineData("range_id", "^[a-z]{10}$")]
    public async Task Get_Algorithm_IdOfThatForm(string algorithm, string pattern)
    {
        // TEST 17-28
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route($$""" "algorithm":"{{algorithm}}","range_id":{"length":10,"char_set":"abcdefghij"} """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/opentracing");

        Assert.Matches(algorithm == "range_id" ? "^[a-j]{10}$" : pattern, response.Headers.GetValues("X-Request-Id").Single());
    }

    [Theory]
    // TEST 2, 12, 18
    [InlineData(""" "include_in_response":"bad_type" """, "property \"include_in_response\" validation failed: wrong type: expected boolean, got string")]
    [InlineData(""" "algorithm":"bad_algorithm" """, "property \"algorithm\" validation failed: matches none of the enum values")]
    [InlineData(""" "range_id":{"length":5} """, "property \"range_id\" validation failed: property \"length\" validation failed: expected 5 to be at least 6")]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string config, string expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route(config, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin request-id err: " + expected);
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>What the Admin API accepts, the node serves: values at a bound are live, values past it are refused with the bound.</summary>
public sealed class AdminLimitsTests
{
    private const string RouteNotFound = """{"error_msg":"404 Route Not Found"}""";

    [Fact]
    public async Task Put_ValuesAtEveryBound_RoutesServed()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        const string Longest = "2147483";
        var port = upstream.Port.ToString(CultureInfo.InvariantCulture);

        Put(await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams/1", """
            {"nodes":[{"host":"127.0.0.1","port":PORT,"weight":2147483647,"priority":-2147483648}],
             "retries":2147483647,"retry_timeout":LONGEST,
             "timeout":{"connect":LONGEST,"send":LONGEST,"read":LONGEST},
             "keepalive_pool":{"size":2147483647,"idle_timeout":LONGEST,"requests":2147483647},
             "checks":{"active":{"timeout":LONGEST,"concurrency":2147483647,"healthy":{"interval":LONGEST},"unhealthy":{"interval":LONGEST}}}}
            """.Replace("LONGEST", Longest).Replace("PORT", port)));
        var uris = new JsonArray(Enumerable.Range(1, 999).Select(i => (JsonNode)JsonValue.Create($"/bounded/{i}")).Prepend("/bounded").ToArray());
        Put(await AdminCall.PutAsync(gateway, "/apisix/admin/routes/most", """
            {"uris":URIS,"priority":2147483647,"status":1.0,"upstream_id":"1",
             "timeout":{"connect":LONGEST,"send":LONGEST,"read":LONGEST},
             "plugins":{"proxy-mirror":{"host":"http://127.0.0.1:65535","sample_ratio":0.00001,"_meta":{"priority":2147483647}}}}
            """.Replace("LONGEST", Longest).Replace("URIS", uris.ToJsonString())));
        Put(await AdminCall.PutAsync(gateway, "/apisix/admin/routes/least", """
            {"uri":"/least","priority":-2147483648,"upstream_id":"1","timeout":{"connect":0.001,"send":0.001,"read":0.001},
             "plugins":{"proxy-mirror":{"host":"http://127.0.0.1:1","_meta":{"priority":-2147483648}}}}
            """));
        // Integers written as 1.0 or 1e0 are integers to APISIX; a port is what Lua's tonumber reads.
        Put(await AdminCall.PutAsync(gateway, "/apisix/admin/routes/lua-numbers", """
            {"uri":"/lua-numbers","priority":1e0,
             "upstream":{"nodes":{"127.0.0.1:0xHEXPORT":2.0},"retries":1.0,
                         "checks":{"active":{"healthy":{"successes":2.0,"http_statuses":[200.0]}}}}}
            """.Replace("HEXPORT", upstream.Port.ToString("x", CultureInfo.InvariantCulture))));

        using var most = await gateway.Client.GetAsync(gateway.ProxyUrl + "/bounded");
        Assert.Equal(200, (int)most.StatusCode);
        using var lua = await gateway.Client.GetAsync(gateway.ProxyUrl + "/lua-numbers");
        Assert.Equal(200, (int)lua.StatusCode);
        // A 1 ms timeout may or may not be met on a busy machine; either way the route is live.
        using var least = await gateway.Client.GetAsync(gateway.ProxyUrl + "/least");
        Assert.NotEqual(RouteNotFound, await least.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_ValuesPastBounds_400WithBoundAndNothingStored()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var tooManyUris = new JsonArray(Enumerable.Range(0, 20_000).Select(i => (JsonNode)JsonValue.Create($"/p/{i}")).ToArray()).ToJsonString();
        (string Body, string Message)[] cases =
        [
            ("""{"uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":1},"retries":2147483648}}""",
                "invalid configuration: property \"retries\" validation failed: expected 2147483648 to be at most 2147483647"),
            ("""{"uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":99999999999999999999}}}""",
                "invalid configuration: property \"nodes\" validation failed: failed to validate 127.0.0.1:1980 (matching \".*\"): expected 1e+20 to be at most 2147483647"),
            ("""{"uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":1},"timeout":{"connect":1e300,"send":1,"read":1}}}""",
                "invalid configuration: property \"timeout\" validation failed: property \"connect\" validation failed: expected 1e+300 to be at most 2147483"),
            ("""{"uri":"/a","timeout":{"connect":1,"send":1e-9,"read":1},"upstream":{"nodes":{"127.0.0.1:1980":1}}}""",
                "invalid configuration: property \"timeout\" validation failed: property \"send\" validation failed: expected 1e-09 to be at least 0.001"),
            ("""{"uris":URIS,"upstream":{"nodes":{"127.0.0.1:1980":1}}}""".Replace("URIS", tooManyUris),
                "invalid configuration: property \"uris\" validation failed: expect array to have at most 1000 items"),
            ("""{"uri":"/a","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:1986","_meta":{"priority":1e10}}},"upstream":{"nodes":{"127.0.0.1:1980":1}}}""",
                "failed to check the configuration of plugin proxy-mirror err: property \"_meta\" validation failed: property \"priority\" validation failed: expected 10000000000 to be at most 2147483647"),
            ("""{"uri":"/a","upstream":{"nodes":{"evil host:1980":1}}}""",
                "invalid configuration: invalid node address \"evil host:1980\""),
        ];

        foreach (var (body, message) in cases)
        {
            AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", body), 400, message);
        }

        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
    }

    private static void Put(AdminAnswer answer) => Assert.True(answer.Status is 200 or 201, $"{answer.Status}: {answer.Body}");
}

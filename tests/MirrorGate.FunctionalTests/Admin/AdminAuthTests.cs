using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

public sealed class AdminAuthTests
{
    private const string Missing = """{"error_msg":"failed to check token","description":"missing apikey"}""";
    private const string Wrong = """{"error_msg":"failed to check token","description":"wrong apikey"}""";
    private const string ViewerWriting = """{"error_msg":"failed to check token","description":"invalid method for role viewer"}""";

    [Fact]
    public async Task Get_KeyInHeader_Allowed()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/routes", null, r => r.Headers.Add("X-API-KEY", GatewayNode.AdminKey));
        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"list":[],"total":0}""", answer.Body);
    }

    [Fact]
    public async Task Get_KeyInQuery_Allowed()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, $"/apisix/admin/routes?api_key={GatewayNode.AdminKey}", null, _ => { });
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Get_KeyInCookie_Allowed()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/routes", null, r => r.Headers.Add("Cookie", $"X-API-KEY={GatewayNode.AdminKey}"));
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Put_KeyInCookie_Stored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/1",
            System.Text.Encoding.UTF8.GetBytes(AdminCall.Route("/c", upstream.Address)),
            r => r.Headers.Add("Cookie", $"X-API-KEY={GatewayNode.AdminKey}"));
        Assert.Equal(201, answer.Status);
        Assert.Equal(1, await AdminCall.RouteCountAsync(gateway));
    }

    [Fact]
    public async Task Get_NoKey_401MissingApikey()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/routes", key: null);
        Assert.Equal(401, answer.Status);
        Assert.Equal(Missing, answer.Body);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("v3", answer.ApiVersion);
    }

    [Fact]
    public async Task Put_NoKey_401AndNothingStored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/1", AdminCall.Route("/n", upstream.Address), key: null);
        Assert.Equal(401, answer.Status);
        Assert.Equal(Missing, answer.Body);
        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
    }

    [Theory]
    [InlineData("header")]
    [InlineData("query")]
    [InlineData("cookie")]
    public async Task Get_WrongKey_401WrongApikey(string where)
    {
        await using var gateway = await GatewayNode.StartAsync();
        const string bad = "edd1c9f034335f136f87ad84b625c8f2";
        var path = where == "query" ? $"/apisix/admin/routes?api_key={bad}" : "/apisix/admin/routes";
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, path, null, r =>
        {
            if (where == "header")
            {
                r.Headers.Add("X-API-KEY", bad);
            }
            else if (where == "cookie")
            {
                r.Headers.Add("Cookie", $"X-API-KEY={bad}");
            }
        });
        Assert.Equal(401, answer.Status);
        Assert.Equal(Wrong, answer.Body);
    }

    [Fact]
    public async Task Get_QueryKeyWinsOverHeader_QueryDecides()
    {
        // APISIX reads api_key first: a wrong query key is wrong even with a good header.
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/routes?api_key=nope", null, r => r.Headers.Add("X-API-KEY", GatewayNode.AdminKey));
        Assert.Equal(401, answer.Status);
        Assert.Equal(Wrong, answer.Body);
    }

    [Fact]
    public async Task Get_ViewerKey_Allowed()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/v", upstream.Address));

        var list = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/routes", key: GatewayNode.ViewerKey);
        var one = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/routes/1", key: GatewayNode.ViewerKey);

        Assert.Equal(200, list.Status);
        Assert.Equal(1, list.Json["total"]!.GetValue<int>());
        Assert.Equal(200, one.Status);
        Assert.Equal("/v", one.Value["uri"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("PUT", "/apisix/admin/routes/2")]
    [InlineData("POST", "/apisix/admin/routes")]
    [InlineData("PATCH", "/apisix/admin/routes/1")]
    [InlineData("DELETE", "/apisix/admin/routes/1")]
    public async Task Write_ViewerKey_401InvalidMethodAndNothingChanged(string method, string path)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/v", upstream.Address));
        var before = (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body;

        var answer = await AdminCall.SendAsync(gateway, new HttpMethod(method), path,
            method == "DELETE" ? null : """{"uri":"/w","upstream":{"nodes":{"127.0.0.1:1":1} } }""", key: GatewayNode.ViewerKey);

        Assert.Equal(401, answer.Status);
        Assert.Equal(ViewerWriting, answer.Body);
        Assert.Equal(1, await AdminCall.RouteCountAsync(gateway));
        Assert.Equal(before, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body);
    }

    [Fact]
    public async Task Get_ClientOutsideAllowAdmin_403()
    {
        await using var gateway = await GatewayNode.StartAsync(adminYaml: "    allow_admin: [10.255.0.0/16]");
        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes");
        Assert.Equal(403, answer.Status);
        Assert.Equal("v3", answer.ApiVersion);
        Assert.DoesNotContain("\"list\"", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Put_ClientOutsideAllowAdmin_403AndNothingStored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync(adminYaml: "    allow_admin: [10.255.0.0/16]");
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", AdminCall.Route("/blocked", upstream.Address));
        Assert.Equal(403, answer.Status);

        using var proxied = await gateway.Client.GetAsync(gateway.ProxyUrl + "/blocked");
        Assert.Equal(404, (int)proxied.StatusCode);
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task Write_AllowAdminEmpty_403ForEveryClientAndNothingStored()
    {
        await using var gateway = await GatewayNode.StartAsync(adminYaml: "    allow_admin: []");

        AdminCall.AssertError(await AdminCall.GetAsync(gateway, "/apisix/admin/routes"), 403, "403 Forbidden: client address is not in deployment.admin.allow_admin");
        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", AdminCall.Route("/blocked", "127.0.0.1:1980")), 403, "403 Forbidden: client address is not in deployment.admin.allow_admin");
        using var proxied = await gateway.Client.GetAsync(gateway.ProxyUrl + "/blocked");
        Assert.Equal(404, (int)proxied.StatusCode);
    }

    [Fact]
    public async Task Get_AllowAdminNull_Allowed()
    {
        await using var gateway = await GatewayNode.StartAsync(adminYaml: "    allow_admin: ~");
        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes");
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Get_ClientInsideAllowAdmin_Allowed()
    {
        await using var gateway = await GatewayNode.StartAsync(adminYaml: "    allow_admin: [10.255.0.0/16, 127.0.0.1]");
        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes");
        Assert.Equal(200, answer.Status);
    }
}

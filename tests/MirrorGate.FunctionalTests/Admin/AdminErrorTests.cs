using System.Text;
using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>Every rejection answers APISIX's text and leaves the store and the data plane untouched.</summary>
public sealed class AdminErrorTests
{
    private const string Upstream = "\"upstream\":{\"nodes\":{\"127.0.0.1:1980\":1} }";

    private static async Task AssertNothingStoredAsync(GatewayNode gateway, string uri = "/hello")
    {
        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + uri);
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("""{"error_msg":"404 Route Not Found"}""", await response.Content.ReadAsStringAsync());
    }

    private static async Task RejectedAsync(string method, string path, string? body, string message, int status = 400)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, new HttpMethod(method), path, body);
        AdminCall.AssertError(answer, status, message);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("v3", answer.ApiVersion);
        await AssertNothingStoredAsync(gateway);
    }

    [Fact]
    public Task Put_NoIdAnywhere_400MissingRouteId()
        => RejectedAsync("PUT", "/apisix/admin/routes", $$"""{"uri":"/hello",{{Upstream}} }""", "missing route id");

    [Fact]
    public Task Put_IdsDiffer_400WrongRouteId()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", $$"""{"id":3,"uri":"/hello",{{Upstream}} }""", "wrong route id");

    [Fact]
    public Task Post_IdInBody_400DoNotNeedIt()
        => RejectedAsync("POST", "/apisix/admin/routes", $$"""{"id":"1","uri":"/hello",{{Upstream}} }""", "wrong route id, do not need it");

    [Fact]
    public Task Post_IdInUrl_400DoNotNeedIt()
        => RejectedAsync("POST", "/apisix/admin/routes/1", $$"""{"uri":"/hello",{{Upstream}} }""", "wrong route id, do not need it");

    [Fact]
    public Task Post_UpstreamIdInUrl_400DoNotNeedIt()
        => RejectedAsync("POST", "/apisix/admin/upstreams/1", """{"nodes":{"127.0.0.1:1":1} }""", "wrong upstream id, do not need it");

    [Fact]
    public Task Put_EmptyBody_400MissingConfigurations()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", null, "missing configurations");

    [Fact]
    public Task Post_EmptyBody_400MissingConfigurations()
        => RejectedAsync("POST", "/apisix/admin/routes", "", "missing configurations");

    [Fact]
    public Task Put_CreateTime_400Forbidden()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", $$"""{"uri":"/hello","create_time":1602883670,{{Upstream}} }""", "the property is forbidden:  create_time");

    [Fact]
    public Task Post_UpdateTime_400Forbidden()
        => RejectedAsync("POST", "/apisix/admin/routes", $$"""{"uri":"/hello","update_time":1602883670,{{Upstream}} }""", "the property is forbidden:  update_time");

    [Fact]
    public Task Put_CreateTimeInUpstream_400ForbiddenWithPrefix()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", """{"uri":"/hello","upstream":{"nodes":{"127.0.0.1:1980":1},"create_time":1} }""", "the property is forbidden:  upstream.create_time");

    [Fact]
    public Task Put_NoIdAndCreateTime_400MissingRouteIdFirst()
        => RejectedAsync("PUT", "/apisix/admin/routes", $$"""{"uri":"/hello","create_time":1,{{Upstream}} }""", "missing route id");

    [Fact]
    public Task Post_IdInUrlEmptyBody_400MissingConfigurationsFirst()
        => RejectedAsync("POST", "/apisix/admin/routes/1", null, "missing configurations");

    [Fact]
    public Task Put_BodyNotObject_400()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", "[1]", "invalid configuration: wrong type: expected object, got table");

    [Fact]
    public Task Put_MethodNotInEnum_400SchemaMessage()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", $$"""{"uri":"/hello","methods":["GET","invalid_method"],{{Upstream}} }""",
            "invalid configuration: property \"methods\" validation failed: failed to validate item 2: matches none of the enum values");

    [Fact]
    public Task Put_UriWrongType_400SchemaMessage()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", $$"""{"uri":666,{{Upstream}} }""",
            "invalid configuration: property \"uri\" validation failed: wrong type: expected string, got number");

    [Fact]
    public Task Put_UnknownField_400AdditionalProperties()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", $$"""{"uri":"/hello","invalid_property":"/index.html",{{Upstream}} }""",
            "invalid configuration: additional properties forbidden, found invalid_property");

    [Fact]
    public Task Put_UnknownPlugin_400UnknownPlugin()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", $$"""{"uri":"/hello","plugins":{"no-such-plugin":{} },{{Upstream}} }""", "unknown plugin [no-such-plugin]");

    [Fact]
    public Task Put_PluginSchemaFails_400FailedToCheck()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", $$"""{"uri":"/hello","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:1986","sample_ratio":10} },{{Upstream}} }""",
            "failed to check the configuration of plugin proxy-mirror err: property \"sample_ratio\" validation failed: expected 10 to be at most 1");

    [Fact]
    public Task Put_DanglingUpstreamId_400FailedToFetch()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", """{"uri":"/hello","upstream_id":"99999999"}""",
            "failed to fetch upstream info by upstream id [99999999], response code: 404");

    [Fact]
    public Task Put_DanglingServiceId_400FailedToFetch()
        => RejectedAsync("PUT", "/apisix/admin/routes/1", """{"uri":"/hello","service_id":"x"}""",
            "failed to fetch service info by service id [x], response code: 404");

    [Fact]
    public Task Post_DanglingUpstreamId_400FailedToFetch()
        => RejectedAsync("POST", "/apisix/admin/routes", """{"uri":"/hello","upstream_id":"x"}""",
            "failed to fetch upstream info by upstream id [x], response code: 404");

    [Fact]
    public Task Put_UnknownResource_404Unsupported()
        => RejectedAsync("PUT", "/apisix/admin/x/1", $$"""{"uri":"/hello",{{Upstream}} }""", "Unsupported resource type: x", 404);

    [Fact]
    public async Task Get_UnknownResource_404Unsupported()
    {
        await using var gateway = await GatewayNode.StartAsync();
        AdminCall.AssertError(await AdminCall.GetAsync(gateway, "/apisix/admin/x"), 404, "Unsupported resource type: x");
    }

    [Theory]
    [InlineData("{\"uri\":\"/hello\",")]
    [InlineData("{uri:1}")]
    [InlineData("not json at all")]
    [InlineData("{\"uri\":\"/hello\"} trailing")]
    public async Task Put_InvalidJson_400WithParserMessageAndRawBody(string raw)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", raw);

        Assert.Equal(400, answer.Status);
        var json = Assert.IsType<JsonObject>(answer.Json);
        Assert.Equal(["error_msg", "req_body"], json.Select(p => p.Key));
        var message = json["error_msg"]!.GetValue<string>();
        Assert.StartsWith("invalid request body: ", message, StringComparison.Ordinal);
        Assert.True(message.Length > "invalid request body: ".Length);
        Assert.Equal(raw, json["req_body"]!.GetValue<string>());
        await AssertNothingStoredAsync(gateway);
    }

    [Fact]
    public async Task Post_InvalidJson_400WithRawBody()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PostAsync(gateway, "/apisix/admin/routes", "{\"a\":/x\"}");
        Assert.Equal(400, answer.Status);
        Assert.Equal("{\"a\":/x\"}", answer.Json["req_body"]!.GetValue<string>());
        await AssertNothingStoredAsync(gateway);
    }

    [Fact]
    public async Task Put_BodyOneByteOverLimit_400ExactMessage()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var body = PaddedRoute(1572864 + 1);

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/1", body, r => r.Headers.Add("X-API-KEY", GatewayNode.AdminKey));

        AdminCall.AssertError(answer, 400, "invalid request body: request size 1572865 is greater than the maximum size 1572864 allowed");
        await AssertNothingStoredAsync(gateway);
    }

    [Fact]
    public async Task Put_ChunkedBodyOverLimit_400ExactMessage()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var body = PaddedRoute(2 * 1024 * 1024);

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/1", null, r =>
        {
            r.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
            r.Content = new StreamContent(new MemoryStream(body));
            r.Headers.TransferEncodingChunked = true;
        });

        AdminCall.AssertError(answer, 400, "invalid request body: request size 2097152 is greater than the maximum size 1572864 allowed");
        await AssertNothingStoredAsync(gateway);
    }

    [Fact]
    public async Task Put_BodyExactlyAtLimit_Accepted()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/1", PaddedRoute(1572864), r => r.Headers.Add("X-API-KEY", GatewayNode.AdminKey));
        Assert.Equal(201, answer.Status);
    }

    /// <summary>A valid route body padded with JSON whitespace to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] PaddedRoute(int size)
    {
        var json = Encoding.UTF8.GetBytes($$"""{"uri":"/hello",{{Upstream}} }""");
        var body = new byte[size];
        Array.Fill(body, (byte)' ');
        json.AsSpan(0, json.Length - 1).CopyTo(body);
        body[^1] = (byte)'}';
        return body;
    }

    [Fact]
    public async Task Put_RejectedReplace_OldRouteStillServed()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/hello", upstream.Address));
        var before = (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body;

        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", """{"uri":"/other","upstream_id":"missing"}""");

        Assert.Equal(400, answer.Status);
        Assert.Equal(before, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body);
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
        Assert.Equal(200, (int)response.StatusCode);
    }
}

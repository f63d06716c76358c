using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>The bytes on the wire: JSON as APISIX's encoder writes it, and the headers on every answer.</summary>
public sealed class AdminWireFormatTests
{
    [Fact]
    public async Task Put_QuotesAndSlashes_WrittenAsApisixDoes()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var sent = """{"uri":"/a/b","desc":"say \"hi\" to <a&b> / é","upstream":{"nodes":{"127.0.0.1:1":1} } }""";

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", sent);
        var get = await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1");
        var list = await AdminCall.GetAsync(gateway, "/apisix/admin/routes");

        foreach (var answer in new[] { put, get, list })
        {
            var raw = Encoding.UTF8.GetString(answer.Raw);
            Assert.Contains("\"desc\":\"say \\\"hi\\\" to <a&b> / é\"", raw, StringComparison.Ordinal);
            Assert.Contains("\"uri\":\"/a/b\"", raw, StringComparison.Ordinal);
            Assert.Contains("\"key\":\"/apisix/routes/1\"", raw, StringComparison.Ordinal);
            Assert.DoesNotContain("\\u0022", raw, StringComparison.Ordinal);
            Assert.DoesNotContain("\\/", raw, StringComparison.Ordinal);
            Assert.DoesNotContain("\\u00", raw, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InvalidJson_ReqBodyWithQuotes_EscapedAsBackslashQuote()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", "{\"uri\":\"/a\"");
        var raw = Encoding.UTF8.GetString(answer.Raw);
        Assert.EndsWith(",\"req_body\":\"{\\\"uri\\\":\\\"/a\\\"\"}", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PluginPatternError_BackslashesDoubledThenEscaped()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1",
            """{"uri":"/hello","plugins":{"proxy-mirror":{"host":"ftp://127.0.0.1:1999"} },"upstream":{"nodes":{"127.0.0.1:1":1} } }""");

        // The validator quotes the pattern with Lua's %q (each backslash doubled); JSON doubles them again.
        var raw = Encoding.UTF8.GetString(answer.Raw);
        const string expected = """{"error_msg":"failed to check the configuration of plugin proxy-mirror err: property \"host\" validation failed: failed to match pattern \"^(http(s)?|grpc(s)?):\\\\/\\\\/([\\\\da-zA-Z.-]+|\\\\[[\\\\da-fA-F:]+\\\\])(:\\\\d+)?$\" with \"ftp://127.0.0.1:1999\""}""";
        Assert.Equal(400, answer.Status);
        Assert.Equal(expected, raw);
    }

    [Theory]
    [InlineData("GET", "/apisix/admin/routes", null, 200)]
    [InlineData("GET", "/apisix/admin/routes/1", null, 200)]
    [InlineData("GET", "/apisix/admin/routes/2", null, 404)]
    [InlineData("PUT", "/apisix/admin/routes/3", """{"uri":"/3","upstream":{"nodes":{"127.0.0.1:1":1} } }""", 201)]
    [InlineData("POST", "/apisix/admin/routes", """{"uri":"/p","upstream":{"nodes":{"127.0.0.1:1":1} } }""", 201)]
    [InlineData("PATCH", "/apisix/admin/routes/1", """{"desc":"x"}""", 200)]
    [InlineData("DELETE", "/apisix/admin/routes/1", null, 200)]
    [InlineData("PUT", "/apisix/admin/routes/1", "{", 400)]
    [InlineData("GET", "/apisix/admin/x", null, 404)]
    [InlineData("GET", "/apisix/admin/plugins/list", null, 200)]
    [InlineData("GET", "/apisix/admin/plugins/proxy-mirror", null, 200)]
    [InlineData("GET", "/apisix/admin/plugins/nope", null, 404)]
    [InlineData("GET", "/apisix/admin/schema/route", null, 200)]
    [InlineData("GET", "/apisix/admin/schema/nope", null, 400)]
    [InlineData("GET", "/apisix/admin/routes?page_size=1", null, 400)]
    public async Task Any_Answer_JsonWithApiVersion(string method, string path, string? body, int status)
    {
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", """{"uri":"/1","upstream":{"nodes":{"127.0.0.1:1":1} } }""");

        var answer = await AdminCall.SendAsync(gateway, new HttpMethod(method), path, body);

        Assert.Equal(status, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("v3", answer.ApiVersion);
        _ = answer.Json;
    }

    [Fact]
    public async Task Unauthorized_Answer_JsonWithApiVersion()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Delete, "/apisix/admin/routes/1", key: "wrong");
        Assert.Equal(401, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("v3", answer.ApiVersion);
    }

    [Fact]
    public async Task Forbidden_Answer_JsonWithApiVersion()
    {
        await using var gateway = await GatewayNode.StartAsync(adminYaml: "    allow_admin: [10.255.0.0/16]");
        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes");
        Assert.Equal(403, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("v3", answer.ApiVersion);
        _ = answer.Json;
    }
    [Fact]
    public async Task Options_NoKey_200WithCorsHeaders()
    {
        await using var gateway = await GatewayNode.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Options, $"http://127.0.0.1:{gateway.AdminPort}/apisix/admin/routes/1");
        using var client = new HttpClient();
        using var response = await client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("POST, GET, PUT, OPTIONS, DELETE, PATCH", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods")));
        Assert.Equal("*", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal("v3", string.Join(",", response.Headers.GetValues("X-API-VERSION")));
    }

    [Fact]
    public async Task Head_AdminRootNoKey_200()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Head, "/apisix/admin", key: null);
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task Get_PathOutsideAdmin_Plain404()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.GetAsync(gateway, "/apisix/adminx/routes");
        Assert.Equal(404, answer.Status);
        Assert.Empty(answer.Raw);
    }
}

using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>The proxy-mirror configurations the Admin API rejects and accepts, with APISIX's texts.</summary>
public sealed class ProxyMirrorAdminTests
{
    private const string Prefix = "failed to check the configuration of plugin proxy-mirror err: ";

    private static string RouteWith(string pluginJson)
        => $$"""{"uri":"/hello","plugins":{"proxy-mirror":{{pluginJson}} },"upstream":{"nodes":{"127.0.0.1:1980":1},"type":"roundrobin"} }""";

    private static async Task<AdminAnswer> RejectedAsync(string pluginJson)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", RouteWith(pluginJson));
        Assert.Equal(400, answer.Status);
        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
        using var proxied = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
        Assert.Equal(404, (int)proxied.StatusCode);
        return answer;
    }

    [Fact]
    public async Task Put_HostMissing_400HostRequired()
        => AdminCall.AssertError(await RejectedAsync("""{"path":"/a"}"""), 400, Prefix + "property \"host\" is required");

    [Fact]
    public async Task Put_HostWrongType_400WrongType()
        => AdminCall.AssertError(await RejectedAsync("""{"host":123}"""), 400, Prefix + "property \"host\" validation failed: wrong type: expected string, got number");

    [Theory]
    [InlineData("ftp://127.0.0.1:1999")]
    [InlineData("http://127.0.0.1::1999")]
    [InlineData("127.0.0.1:1999")]
    [InlineData("http://127.0.0.1:1999/invalid_uri")]
    [InlineData("HTTP://127.0.0.1")]
    [InlineData("http://a_b")]
    public async Task Put_HostPattern_400FailedToMatch(string host)
    {
        var answer = await RejectedAsync($$"""{"host":"{{host}}"}""");
        var message = answer.Json["error_msg"]!.GetValue<string>();
        Assert.StartsWith(Prefix + "property \"host\" validation failed: failed to match pattern \"", message, StringComparison.Ordinal);
        Assert.EndsWith($"\" with \"{host}\"", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("/a?a=c")]
    [InlineData("/")]
    public async Task Put_PathPattern_400FailedToMatch(string path)
    {
        var answer = await RejectedAsync($$"""{"host":"http://127.0.0.1:1986","path":"{{path}}"}""");
        AdminCall.AssertError(answer, 400, Prefix + $"property \"path\" validation failed: failed to match pattern \"^/[^?&]+$\" with \"{path}\"");
    }

    [Fact]
    public async Task Put_PathConcatModeNotInEnum_400()
        => AdminCall.AssertError(await RejectedAsync("""{"host":"http://127.0.0.1:1986","path":"/a","path_concat_mode":"suffix"}"""), 400,
            Prefix + "property \"path_concat_mode\" validation failed: matches none of the enum values");

    [Fact]
    public async Task Put_SampleRatioAboveOne_ByteExactBody()
    {
        var answer = await RejectedAsync("""{"host":"http://127.0.0.1:1986","sample_ratio":10}""");
        Assert.Equal("""{"error_msg":"failed to check the configuration of plugin proxy-mirror err: property \"sample_ratio\" validation failed: expected 10 to be at most 1"}""", answer.Body);
    }

    [Fact]
    public async Task Put_SampleRatioZero_400AtLeast()
        => AdminCall.AssertError(await RejectedAsync("""{"host":"http://127.0.0.1:1986","sample_ratio":0}"""), 400,
            Prefix + "property \"sample_ratio\" validation failed: expected 0 to be at least 1e-05");

    [Fact]
    public async Task Put_SampleRatioString_400WrongType()
        => AdminCall.AssertError(await RejectedAsync("""{"host":"http://127.0.0.1:1986","sample_ratio":"0.5"}"""), 400,
            Prefix + "property \"sample_ratio\" validation failed: wrong type: expected number, got string");

    [Fact]
    public async Task Put_PluginValueNotObject_400InvalidPluginConf()
        => AdminCall.AssertError(await RejectedAsync("\"x\""), 400, "invalid plugin conf \"x\" for plugin [proxy-mirror]");

    [Fact]
    public async Task Put_UnknownMetaKey_400()
        => AdminCall.AssertError(await RejectedAsync("""{"host":"http://127.0.0.1:1986","_meta":{"nope":1} }"""), 400,
            Prefix + "property \"_meta\" validation failed: additional properties forbidden, found nope");

    [Theory]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:1986")]
    [InlineData("http://a")]
    [InlineData("http://ab.com")]
    [InlineData("http://[::1]")]
    [InlineData("http://[::1]:202")]
    [InlineData("https://127.0.0.1:1986")]
    [InlineData("grpc://127.0.0.1:1986")]
    [InlineData("grpcs://127.0.0.1:1986")]
    [InlineData("http://test.com:1980")]
    [InlineData("http://not-find-domian.notfind")]
    public async Task Put_AcceptedHost_StoredAsSent(string host)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", RouteWith($$"""{"host":"{{host}}"}"""));
        Assert.Equal(201, answer.Status);
        Assert.Equal($$"""{"host":"{{host}}"}""", answer.Value["plugins"]!["proxy-mirror"]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"host":"http://127.0.0.1:1986","sample_ratio":0.00001}""")]
    [InlineData("""{"host":"http://127.0.0.1:1986","sample_ratio":1}""")]
    [InlineData("""{"host":"http://127.0.0.1:1986","path":"/a","path_concat_mode":"prefix"}""")]
    [InlineData("""{"host":"http://127.0.0.1:1986","disable":false,"anything":[1]}""")]
    [InlineData("""{"host":"http://127.0.0.1:1986","_meta":{"disable":true} }""")]
    public async Task Put_AcceptedConfig_StoredWithoutDefaults(string plugin)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", RouteWith(plugin));
        Assert.Equal(201, answer.Status);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(plugin), answer.Value["plugins"]!["proxy-mirror"]), answer.Body);
    }

    [Theory]
    // Past APISIX's pattern, but no connection can be made to them: once a 500 on every request.
    [InlineData("http://127.0.0.1:99999", "port 99999 is not between 1 and 65535")]
    [InlineData("http://..:8081", "\"..\" is not a valid host name")]
    [InlineData("http://[:::::]:8081", "\"[:::::]\" is not a valid IPv6 address")]
    [InlineData("http://127.1:8081", "\"127.1\" is not an IPv4 address in dotted-quad form (four numbers 0 to 255, e.g. 127.0.0.1)")]
    public async Task Put_HostNoConnectionCanBeMadeTo_400NamingTheProblem(string host, string problem)
        => AdminCall.AssertError(await RejectedAsync($$"""{"host":"{{host}}"}"""), 400,
            Prefix + $"property \"host\" validation failed: \"{host}\": {problem}");

    [Fact]
    public async Task Put_HostIsNodesAdminListener_400AndNothingStored()
    {
        await using var gateway = await GatewayNode.StartAsync();
        foreach (var host in new[] { $"http://127.0.0.1:{gateway.AdminPort}", $"http://localhost:{gateway.AdminPort}", $"https://0.0.0.0:{gateway.AdminPort}" })
        {
            var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", RouteWith($$"""{"host":"{{host}}"}"""));

            AdminCall.AssertError(answer, 400,
                Prefix + $"property \"host\" validation failed: \"{host}\" reaches this node's Admin API listener (deployment.admin.admin_listen 127.0.0.1:{gateway.AdminPort}); "
                + "mirror copies carry the client's headers and may not be sent to the node's Admin API or metrics listeners");
        }

        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
    }

    [Fact]
    public async Task Put_HostIsNodesMetricsListener_400()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var host = $"http://localhost:{gateway.MetricsPort}";

        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", RouteWith($$"""{"host":"{{host}}"}"""));

        AdminCall.AssertError(answer, 400,
            Prefix + $"property \"host\" validation failed: \"{host}\" reaches this node's metrics listener (plugin_attr.prometheus.export_addr 127.0.0.1:{gateway.MetricsPort}); "
            + "mirror copies carry the client's headers and may not be sent to the node's Admin API or metrics listeners");
    }

    [Fact]
    public async Task Put_HostIsNodesProxyPort_Accepted()
    {
        // Allowed: the copy is not mirrored again (see ProxyMirrorLoopTests).
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", RouteWith($$"""{"host":"{{gateway.ProxyUrl}}"}"""));
        Assert.Equal(201, answer.Status);
    }

    [Fact]
    public async Task Put_OnService_ValidatedToo()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/services/1", """{"plugins":{"proxy-mirror":{"host":"http://127.0.0.1:1986","sample_ratio":10} } }""");
        AdminCall.AssertError(answer, 400, Prefix + "property \"sample_ratio\" validation failed: expected 10 to be at most 1");
        Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(gateway, "/apisix/admin/services")).Body);
    }
}

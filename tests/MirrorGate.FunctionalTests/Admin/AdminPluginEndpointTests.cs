using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

public sealed class AdminPluginEndpointTests
{
    [Fact]
    public async Task GetPluginsList_Default_EnabledPluginsHighestPriorityFirst()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/list");
        Assert.Equal(200, answer.Status);
        Assert.Equal("""["real-ip","request-id","cors","ip-restriction","key-auth","proxy-mirror","proxy-rewrite","limit-conn","limit-count","limit-req","response-rewrite","grpc-web","prometheus"]""", answer.Body);
    }

    [Fact]
    public async Task GetPluginsList_PluginsListEmpty_EmptyArrayAndPluginUnknown()
    {
        await using var gateway = await GatewayNode.StartAsync(extraYaml: "plugins: []");
        var list = await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/list");
        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1",
            """{"uri":"/hello","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:1"} },"upstream":{"nodes":{"127.0.0.1:1":1} } }""");

        Assert.Equal("[]", list.Body);
        AdminCall.AssertError(put, 400, "unknown plugin [proxy-mirror]");
    }

    [Fact]
    public async Task GetPluginsList_BadSubsystem_400()
    {
        await using var gateway = await GatewayNode.StartAsync();
        AdminCall.AssertError(await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/list?subsystem=x"), 400, "invalid subsystem passed");
    }

    [Theory]
    [InlineData("/apisix/admin/plugins/proxy-mirror")]
    [InlineData("/apisix/admin/schema/plugins/proxy-mirror")]
    public async Task GetPluginSchema_ProxyMirror_SchemaWithMeta(string path)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.GetAsync(gateway, path);

        Assert.Equal(200, answer.Status);
        var schema = Assert.IsType<JsonObject>(answer.Json);
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        // host or targets: the plugin's check requires one (APISIX's "property \"host\" is required"); each target requires its host.
        Assert.Null(schema["required"]);
        var properties = schema["properties"]!.AsObject();
        Assert.Equal("""["host"]""", properties["targets"]!["items"]!["required"]!.ToJsonString());
        Assert.Equal("string", properties["host"]!["type"]!.GetValue<string>());
        Assert.Equal(@"^(http(s)?|grpc(s)?):\/\/([\da-zA-Z.-]+|\[[\da-fA-F:]+\])(:\d+)?$", properties["host"]!["pattern"]!.GetValue<string>());
        Assert.Equal("^/[^?&]+$", properties["path"]!["pattern"]!.GetValue<string>());
        Assert.Equal("""["replace","prefix"]""", properties["path_concat_mode"]!["enum"]!.ToJsonString());
        Assert.Equal(0.00001, properties["sample_ratio"]!["minimum"]!.GetValue<double>());
        Assert.Equal(1, properties["sample_ratio"]!["maximum"]!.GetValue<double>());
        var meta = properties["_meta"]!.AsObject();
        Assert.Equal("object", meta["type"]!.GetValue<string>());
        foreach (var key in new[] { "disable", "error_response", "priority", "filter", "pre_function" })
        {
            Assert.NotNull(meta["properties"]![key]);
        }
    }

    [Fact]
    public async Task GetPluginSchema_Same_ForBothPaths()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var a = await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/proxy-mirror");
        var b = await AdminCall.GetAsync(gateway, "/apisix/admin/schema/plugins/proxy-mirror");
        Assert.Equal(a.Body, b.Body);
    }

    [Fact]
    public async Task GetPluginSchema_Unknown_404()
    {
        await using var gateway = await GatewayNode.StartAsync();
        AdminCall.AssertError(await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/no-such"), 404, "plugin not found in subsystem http");
    }

    [Theory]
    [InlineData("route", "uri")]
    [InlineData("upstream", "nodes")]
    [InlineData("service", "upstream_id")]
    public async Task GetCoreSchema_Known_SchemaWithProperties(string name, string property)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.GetAsync(gateway, $"/apisix/admin/schema/{name}");
        Assert.Equal(200, answer.Status);
        Assert.Equal("object", answer.Json["type"]!.GetValue<string>());
        Assert.NotNull(answer.Json["properties"]![property]);
    }

    [Fact]
    public async Task GetCoreSchema_Unknown_400()
    {
        await using var gateway = await GatewayNode.StartAsync();
        AdminCall.AssertError(await AdminCall.GetAsync(gateway, "/apisix/admin/schema/nope"), 400, "not found schema: nope");
    }

    [Fact]
    public async Task GetPluginsList_ViewerKey_Allowed()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/plugins/list", key: GatewayNode.ViewerKey);
        Assert.Equal(200, answer.Status);
    }
}

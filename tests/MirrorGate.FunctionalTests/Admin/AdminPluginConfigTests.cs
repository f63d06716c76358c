using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>
/// <c>/apisix/admin/plugin_configs</c> as APISIX's t/admin/plugin-configs.t and
/// plugin-configs-force-delete.t drive it, with their texts.
/// </summary>
public sealed class AdminPluginConfigTests
{
    private const string Path = "/apisix/admin/plugin_configs/1";

    private const string LimitCount = """{"plugins":{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}}}""";

    [Fact]
    public async Task PutGetListPatch_Envelopes_TimesKeptAndRefreshed()
    {
        await using var gateway = await GatewayNode.StartAsync();

        // TEST 1: PUT answers the stored value under APISIX's key, with the times set.
        var put = await AdminCall.PutAsync(gateway, Path, LimitCount);
        Assert.Equal(201, put.Status);
        Assert.Equal("/apisix/plugin_configs/1", put.Json["key"]!.GetValue<string>());
        Assert.Equal("1", put.Value["id"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(LimitCount)!["plugins"], put.Value["plugins"]));
        var createTime = put.Value["create_time"]!.GetValue<long>();
        Assert.True(put.Value["update_time"]!.GetValue<long>() >= createTime);

        // TEST 2-3: GET one and the list.
        var get = await AdminCall.GetAsync(gateway, Path);
        Assert.Equal(200, get.Status);
        Assert.True(JsonNode.DeepEquals(put.Value, get.Value));
        Assert.NotNull(get.Json["createdIndex"]);
        var list = await AdminCall.GetAsync(gateway, "/apisix/admin/plugin_configs");
        Assert.Equal(1, list.Json["total"]!.GetValue<int>());
        Assert.Equal("/apisix/plugin_configs/1", list.Json["list"]![0]!["key"]!.GetValue<string>());

        // TEST 4: PATCH merges and keeps create_time.
        var patch = await AdminCall.PatchAsync(gateway, Path, """{"plugins":{"limit-count":{"count":3,"time_window":60,"rejected_code":503,"key":"remote_addr"}}}""");
        Assert.Equal(200, patch.Status);
        Assert.Equal(3, patch.Value["plugins"]!["limit-count"]!["count"]!.GetValue<int>());
        Assert.Equal(createTime, patch.Value["create_time"]!.GetValue<long>());

        // TEST 5: PATCH of a sub path.
        var subPatch = await AdminCall.PatchAsync(gateway, Path + "/plugins", """{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}}""");
        Assert.Equal(200, subPatch.Status);
        Assert.Equal(2, subPatch.Value["plugins"]!["limit-count"]!["count"]!.GetValue<int>());
        Assert.Equal(createTime, subPatch.Value["create_time"]!.GetValue<long>());
    }

    [Fact]
    public async Task Put_NonPluginFields_StoredAndServed()
    {
        // TEST 7-8
        await using var gateway = await GatewayNode.StartAsync();
        var body = """{"plugins":{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}},"labels":{"你好":"世界"},"desc":"blah","name":"limits"}""";

        Assert.Equal(201, (await AdminCall.PutAsync(gateway, Path, body)).Status);

        var get = await AdminCall.GetAsync(gateway, Path);
        Assert.Equal("世界", get.Value["labels"]!["你好"]!.GetValue<string>());
        Assert.Equal("blah", get.Value["desc"]!.GetValue<string>());
        Assert.Equal("limits", get.Value["name"]!.GetValue<string>());
        Assert.Equal(1, (await AdminCall.GetAsync(gateway, "/apisix/admin/plugin_configs?name=lim")).Json["total"]!.GetValue<int>());
    }

    [Theory]
    // TEST 6
    [InlineData("""{"plugins":{"limit-count":{"rejected_code":503,"time_window":60,"key":"remote_addr"}}}""",
        "failed to check the configuration of plugin limit-count err: value should match only one schema, but matches none")]
    // TEST 9
    [InlineData("""{"labels":"a","plugins":{}}""", "invalid configuration: property \"labels\" validation failed: wrong type: expected object, got string")]
    [InlineData("""{"desc":"d"}""", "invalid configuration: property \"plugins\" is required")]
    [InlineData("""{"plugins":{},"uri":"/a"}""", "invalid configuration: additional properties forbidden, found uri")]
    [InlineData("""{"id":"2","plugins":{}}""", "wrong plugin config id")]
    [InlineData("""{"plugins":{},"create_time":1}""", "the property is forbidden:  create_time")]
    public async Task Put_Invalid_400ApisixTextAndNothingStored(string body, string message)
    {
        await using var gateway = await GatewayNode.StartAsync();

        AdminCall.AssertError(await AdminCall.PutAsync(gateway, Path, body), 400, message);

        Assert.Equal(404, (await AdminCall.GetAsync(gateway, Path)).Status);
    }

    [Fact]
    public async Task Post_NotSupported_405()
    {
        await using var gateway = await GatewayNode.StartAsync();

        AdminCall.AssertError(await AdminCall.PostAsync(gateway, "/apisix/admin/plugin_configs", LimitCount), 405, "not supported `POST` method for plugin config");
        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/plugin_configs", LimitCount), 400, "missing plugin config id");
        Assert.Equal(0, (await AdminCall.GetAsync(gateway, "/apisix/admin/plugin_configs")).Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task RoutePluginConfigId_Missing_400FetchText()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", """{"uri":"/index.html","plugin_config_id":7,"upstream":{"type":"roundrobin","nodes":{"127.0.0.1:8080":1} } }""");

        AdminCall.AssertError(answer, 400, "failed to fetch plugin config info by plugin config id [7], response code: 404");
        Assert.Equal(404, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Status);
    }

    [Fact]
    public async Task Delete_UsedByRoute_RefusedUnlessForced()
    {
        // TEST 10-14 and plugin-configs-force-delete.t
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, Path, LimitCount)).Status);
        await gateway.PutRouteAsync("1", """{"plugin_config_id":1,"uri":"/index.html","upstream":{"nodes":{"127.0.0.1:8080":1},"type":"roundrobin"} }""");

        AdminCall.AssertError(await AdminCall.DeleteAsync(gateway, Path), 400, "can not delete this plugin config, route [1] is still using it now");
        AdminCall.AssertError(await AdminCall.DeleteAsync(gateway, Path + "?force=anyvalue"), 400, "can not delete this plugin config, route [1] is still using it now");
        Assert.Equal(200, (await AdminCall.GetAsync(gateway, Path)).Status);

        var forced = await AdminCall.DeleteAsync(gateway, Path + "?force=true");
        Assert.Equal(200, forced.Status);
        Assert.Equal("""{"deleted":"1","key":"/apisix/plugin_configs/1"}""", forced.Body);

        // As APISIX: a route whose plugin config is gone answers 503 rather than run without it.
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/index.html");
        Assert.Equal(503, (int)response.StatusCode);

        Assert.Equal(200, (await AdminCall.DeleteAsync(gateway, "/apisix/admin/routes/1")).Status);
        Assert.Equal(404, (await AdminCall.DeleteAsync(gateway, Path)).Status);
    }

    [Fact]
    public async Task Delete_AfterRouteDeleted_Deleted()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, Path, LimitCount)).Status);
        await gateway.PutRouteAsync("1", """{"plugin_config_id":"1","uri":"/index.html","upstream":{"nodes":{"127.0.0.1:8080":1},"type":"roundrobin"} }""");
        Assert.Equal(200, (await AdminCall.DeleteAsync(gateway, "/apisix/admin/routes/1")).Status);

        Assert.Equal(200, (await AdminCall.DeleteAsync(gateway, Path)).Status);
    }

    [Fact]
    public async Task CoreSchema_PluginConfig_ServedAsApisix()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var schema = await AdminCall.GetAsync(gateway, "/apisix/admin/schema/plugin_config");

        Assert.Equal(200, schema.Status);
        Assert.Equal(["id", "plugins"], schema.Json["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }
}

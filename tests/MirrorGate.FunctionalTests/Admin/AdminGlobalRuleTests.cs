using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>
/// <c>/apisix/admin/global_rules</c> as APISIX's t/admin/global-rules.t, global-rules2.t and
/// global-rules-conflict.t drive it, with their texts.
/// </summary>
public sealed class AdminGlobalRuleTests
{
    private const string Path = "/apisix/admin/global_rules/1";

    private const string LimitCount = """{"plugins":{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}}}""";

    private static JsonObject WithoutTimes(AdminAnswer answer)
    {
        var json = (JsonObject)answer.Json.DeepClone();
        json.Remove("createdIndex");
        json.Remove("modifiedIndex");
        var value = (JsonObject)json["value"]!;
        Assert.NotNull(value["create_time"]);
        Assert.NotNull(value["update_time"]);
        value.Remove("create_time");
        value.Remove("update_time");
        return json;
    }

    /// <summary>The same JSON as APISIX's answer; members in the order they were sent, as the store keeps them.</summary>
    private static void AssertSameJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), actual.ToJsonString());

    [Fact]
    public async Task ListEmpty_ThenPutGetPatchDelete_ApisixEnvelopes()
    {
        await using var gateway = await GatewayNode.StartAsync();

        // global-rules2.t TEST 1
        Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(gateway, "/apisix/admin/global_rules")).Body);

        // global-rules.t TEST 11-14: no unwanted data in the answers.
        var put = await AdminCall.PutAsync(gateway, Path, """{"plugins":{"proxy-rewrite":{"uri":"/"}}}""");
        Assert.Equal(201, put.Status);
        AssertSameJson("""{"key":"/apisix/global_rules/1","value":{"id":"1","plugins":{"proxy-rewrite":{"uri":"/"}}}}""", WithoutTimes(put));

        var patch = await AdminCall.PatchAsync(gateway, Path, """{"plugins":{"proxy-rewrite":{"uri":"/"}}}""");
        Assert.Equal(200, patch.Status);
        AssertSameJson("""{"key":"/apisix/global_rules/1","value":{"id":"1","plugins":{"proxy-rewrite":{"uri":"/"}}}}""", WithoutTimes(patch));

        var get = await AdminCall.GetAsync(gateway, Path);
        Assert.NotNull(get.Json["createdIndex"]);
        Assert.NotNull(get.Json["modifiedIndex"]);
        AssertSameJson("""{"key":"/apisix/global_rules/1","value":{"id":"1","plugins":{"proxy-rewrite":{"uri":"/"}}}}""", WithoutTimes(get));

        // global-rules.t TEST 5: PATCH of a sub path.
        var subPatch = await AdminCall.PatchAsync(gateway, Path + "/plugins", """{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}}""");
        Assert.Equal(200, subPatch.Status);
        Assert.Equal(["limit-count"], subPatch.Value["plugins"]!.AsObject().Select(p => p.Key));

        var deleted = await AdminCall.DeleteAsync(gateway, Path);
        Assert.Equal("""{"deleted":"1","key":"/apisix/global_rules/1"}""", deleted.Body);

        // TEST 7
        Assert.Equal(404, (await AdminCall.DeleteAsync(gateway, Path)).Status);
    }

    [Fact]
    public async Task Put_StringId_StoredAndDeleted()
    {
        // TEST 9-10
        await using var gateway = await GatewayNode.StartAsync();

        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/a-b-c-ABC_0123", LimitCount)).Status);
        Assert.Equal(200, (await AdminCall.DeleteAsync(gateway, "/apisix/admin/global_rules/a-b-c-ABC_0123")).Status);
    }

    [Theory]
    // TEST 8
    [InlineData("{}", "invalid configuration: property \"plugins\" is required")]
    [InlineData("""{"plugins":{"no-such-plugin":{}}}""", "unknown plugin [no-such-plugin]")]
    [InlineData("""{"plugins":{},"desc":"d"}""", "invalid configuration: additional properties forbidden, found desc")]
    [InlineData("""{"plugins":{"ip-restriction":{"whitelist":[":/8"]}}}""", "failed to check the configuration of plugin ip-restriction err: invalid ip address: :/8")]
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

        AdminCall.AssertError(await AdminCall.PostAsync(gateway, "/apisix/admin/global_rules", LimitCount), 405, "not supported `POST` method for global rule");
        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/global_rules", LimitCount), 400, "missing global rule id");
    }

    [Fact]
    public async Task Put_PluginOfAnotherRule_400ConflictText()
    {
        // global-rules-conflict.t TEST 1-6
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, Path, LimitCount)).Status);

        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/2", """{"plugins":{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}}}"""),
            400, "plugin 'limit-count' already exists in global rule with id '1'");
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/2", """{"plugins":{"ip-restriction":{"whitelist":["127.0.0.0/24"]}}}""")).Status);
        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/3", """{"plugins":{"limit-count":{"count":10,"time_window":30,"rejected_code":429,"key":"remote_addr"}}}"""),
            400, "plugin 'limit-count' already exists in global rule with id '1'");
        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/3", """{"plugins":{"limit-req":{"rate":1,"burst":0,"key":"remote_addr"},"ip-restriction":{"whitelist":["192.168.0.0/16"]}}}"""),
            400, "plugin 'ip-restriction' already exists in global rule with id '2'");
        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/global_rules/2/plugins", """{"limit-count":{"count":1,"time_window":30}}"""),
            400, "plugin 'limit-count' already exists in global rule with id '1'");

        // Updating a rule with its own plugin is no conflict.
        Assert.Equal(200, (await AdminCall.PutAsync(gateway, Path, """{"plugins":{"limit-count":{"count":3,"time_window":90,"rejected_code":503,"key":"remote_addr"}}}""")).Status);
        Assert.Equal(404, (await AdminCall.GetAsync(gateway, "/apisix/admin/global_rules/3")).Status);
    }

    [Fact]
    public async Task CoreSchema_GlobalRule_ServedAsApisix()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var schema = await AdminCall.GetAsync(gateway, "/apisix/admin/schema/global_rule");

        Assert.Equal(200, schema.Status);
        Assert.Equal(["id", "create_time", "update_time", "plugins"], schema.Json["properties"]!.AsObject().Select(p => p.Key));
    }
}

using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

public sealed class AdminPatchTests
{
    private const string Base = """{"uri":"/hello","methods":["GET","POST"],"desc":"d","labels":{"a":"1","b":"2"},"upstream":{"type":"roundrobin","nodes":{"127.0.0.1:1980":1,"127.0.0.1:1981":1} } }""";

    private static async Task<GatewayNode> StartWithBaseAsync()
    {
        var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Base);
        return gateway;
    }

    private static JsonObject Stripped(JsonObject value)
    {
        var copy = value.DeepClone().AsObject();
        copy.Remove("id");
        copy.Remove("create_time");
        copy.Remove("update_time");
        return copy;
    }

    private static void AssertSame(string expected, JsonObject actual)
        => Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), Stripped(actual)), Stripped(actual).ToJsonString());

    [Fact]
    public async Task Patch_Object_DeepMergedArraysReplacedNullDeletes()
    {
        await using var gateway = await StartWithBaseAsync();

        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1",
            """{"methods":["PUT"],"desc":null,"labels":{"b":"3","c":"4"},"upstream":{"nodes":{"127.0.0.1:1981":null,"127.0.0.1:1982":2} } }""");

        Assert.Equal(200, answer.Status);
        Assert.Equal("/apisix/routes/1", answer.Json["key"]!.GetValue<string>());
        const string expected = """{"uri":"/hello","methods":["PUT"],"labels":{"a":"1","b":"3","c":"4"},"upstream":{"type":"roundrobin","nodes":{"127.0.0.1:1980":1,"127.0.0.1:1982":2} } }""";
        AssertSame(expected, answer.Value);
        AssertSame(expected, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Value);
        Assert.Equal("1", answer.Value["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_SubPathMethods_ReplacesArray()
    {
        await using var gateway = await StartWithBaseAsync();
        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/methods", """["DELETE"]""");
        Assert.Equal(200, answer.Status);
        Assert.Equal("""["DELETE"]""", answer.Value["methods"]!.ToJsonString());
    }

    [Fact]
    public async Task Patch_SubPathUri_ReplacesStringAndServesIt()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/old", upstream.Address));

        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/uri", "\"/patch_uri_test\"");

        Assert.Equal(200, answer.Status);
        using var newPath = await gateway.Client.GetAsync(gateway.ProxyUrl + "/patch_uri_test");
        using var oldPath = await gateway.Client.GetAsync(gateway.ProxyUrl + "/old");
        Assert.Equal(200, (int)newPath.StatusCode);
        Assert.Equal(404, (int)oldPath.StatusCode);
    }

    [Fact]
    public async Task Patch_SubPathUpstreamNodes_ReplacesWholeObject()
    {
        await using var gateway = await StartWithBaseAsync();
        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/upstream/nodes", """{"127.0.0.1:1982":1}""");
        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"127.0.0.1:1982":1}""", answer.Value["upstream"]!["nodes"]!.ToJsonString());
        Assert.Equal("roundrobin", answer.Value["upstream"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_SubPathPluginsProxyMirror_CreatesPluginsAndMirrorsAtOnce()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/m", upstream.Address));

        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/plugins/proxy-mirror", $$"""{"host":"{{mirror.Url}}"}""");

        Assert.Equal(200, answer.Status);
        Assert.Equal($$$"""{"proxy-mirror":{"host":"{{{mirror.Url}}}"}}""", answer.Value["plugins"]!.ToJsonString());
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/m");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/m", (await mirror.NextAsync()).RawTarget);
    }

    [Fact]
    public async Task Patch_SubPathThroughNonObject_400InvalidSubPathAndUnchanged()
    {
        await using var gateway = await StartWithBaseAsync();
        var before = (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body;

        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/uri/x", "\"/y\"");

        AdminCall.AssertError(answer, 400, "invalid sub-path: /uri");
        Assert.Equal(before, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body);
    }

    [Fact]
    public async Task Patch_MergedObjectInvalid_400SchemaErrorAndUnchanged()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/keep", upstream.Address));
        var before = (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body;

        var wrongMethod = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", """{"methods":["GOT"],"uri":"/changed"}""");
        var noUpstream = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", """{"upstream":null}""");
        var badPlugin = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/plugins/proxy-mirror", """{"host":"ftp://x"}""");

        AdminCall.AssertError(wrongMethod, 400, "invalid configuration: property \"methods\" validation failed: failed to validate item 1: matches none of the enum values");
        Assert.Equal(400, noUpstream.Status);
        Assert.StartsWith("invalid configuration: ", noUpstream.Json["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(400, badPlugin.Status);
        Assert.StartsWith("failed to check the configuration of plugin proxy-mirror err: property \"host\" validation failed: failed to match pattern", badPlugin.Json["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(before, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body);
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/keep");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Patch_Unknown_404KeyNotFound()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/9", """{"desc":"x"}""");
        Assert.Equal(404, answer.Status);
        Assert.Equal("""{"message":"Key not found"}""", answer.Body);
        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
    }

    [Fact]
    public async Task Patch_NoId_400MissingRouteId()
    {
        await using var gateway = await GatewayNode.StartAsync();
        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/routes", """{"desc":"x"}"""), 400, "missing route id");
    }

    [Fact]
    public async Task Patch_EmptyBody_400MissingNewConfiguration()
    {
        await using var gateway = await StartWithBaseAsync();
        AdminCall.AssertError(await AdminCall.SendAsync(gateway, HttpMethod.Patch, "/apisix/admin/routes/1"), 400, "missing new configuration");
    }

    [Fact]
    public async Task Patch_NonObjectWithoutSubPath_400InvalidConfiguration()
    {
        await using var gateway = await StartWithBaseAsync();
        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", "[1]"), 400, "invalid configuration");
    }

    [Fact]
    public async Task Patch_UnknownIdNonObject_400InvalidConfigurationFirst()
    {
        await using var gateway = await GatewayNode.StartAsync();
        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/9", "\"x\""), 400, "invalid configuration");
    }

    [Fact]
    public async Task Patch_SubPathId_400WrongRouteId()
    {
        await using var gateway = await StartWithBaseAsync();
        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/id", "\"2\""), 400, "wrong route id");
        Assert.Equal(404, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/2")).Status);
    }

    [Fact]
    public async Task Patch_CreateAndUpdateTimeInBody_Allowed()
    {
        // PUT and POST forbid the times; PATCH may set them, as APISIX.
        await using var gateway = await StartWithBaseAsync();
        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", """{"create_time":1602883670,"update_time":1602893670}""");
        Assert.Equal(200, answer.Status);
        Assert.Equal(1602883670, answer.Value["create_time"]!.GetValue<long>());
        Assert.Equal(1602893670, answer.Value["update_time"]!.GetValue<long>());
    }

    [Fact]
    public async Task Patch_Route_CreateTimeKept()
    {
        await using var gateway = await StartWithBaseAsync();
        var created = (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Value["create_time"]!.GetValue<long>();

        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", """{"desc":"new"}""");

        Assert.Equal(200, answer.Status);
        Assert.Equal(created, answer.Value["create_time"]!.GetValue<long>());
        Assert.Equal("new", answer.Value["desc"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_OtherIdInBody_400WrongRouteIdAndUnchanged()
    {
        // APISIX validates the merged object with the key's id, so a patch cannot move an item.
        await using var gateway = await StartWithBaseAsync();
        var before = (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body;

        var answer = await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", """{"id":"other","desc":"new"}""");

        AdminCall.AssertError(answer, 400, "wrong route id");
        Assert.Equal(before, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body);
        Assert.Equal(1, await AdminCall.RouteCountAsync(gateway));
    }

    [Fact]
    public async Task Patch_Upstream_MergedAndValidated()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams/1", """{"type":"roundrobin","nodes":{"127.0.0.1:1":1} }""")).Status);

        var good = await AdminCall.PatchAsync(gateway, "/apisix/admin/upstreams/1", """{"retries":2}""");
        var bad = await AdminCall.PatchAsync(gateway, "/apisix/admin/upstreams/1", """{"hash_on":"nowhere"}""");

        Assert.Equal(200, good.Status);
        Assert.Equal(2, good.Value["retries"]!.GetValue<int>());
        AdminCall.AssertError(bad, 400, "invalid configuration: property \"hash_on\" validation failed: matches none of the enum values");
    }
}

using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

public sealed class AdminRouteWriteTests
{
    [Fact]
    public async Task Put_NewThenSame_201Then200()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var body = AdminCall.Route("/p", upstream.Address);

        var first = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", body);
        var second = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", body);

        Assert.Equal(201, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("/apisix/routes/1", first.Json["key"]!.GetValue<string>());
        Assert.Equal(1, await AdminCall.RouteCountAsync(gateway));
    }

    [Fact]
    public async Task Put_Value_ExactlyWhatWasSentPlusIdAndTimes()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var sent = """{"uri":"/index.html","methods":["GET"],"plugins":{"proxy-mirror":{"host":"http://127.0.0.1:1986"} },"upstream":{"nodes":{"127.0.0.1:8080":1},"type":"roundrobin"} }""";
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", sent);

        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(201, answer.Status);
        var json = Assert.IsType<JsonObject>(answer.Json);
        Assert.Equal(["key", "value"], json.Select(p => p.Key));
        var value = answer.Value;
        var createTime = value["create_time"]!.GetValue<long>();
        var updateTime = value["update_time"]!.GetValue<long>();
        Assert.InRange(createTime, before, after);
        Assert.Equal(createTime, updateTime);
        Assert.Equal("1", value["id"]!.GetValue<string>());

        // No defaults injected anywhere: take away what the gateway adds and the rest is what was sent.
        value.Remove("create_time");
        value.Remove("update_time");
        value.Remove("id");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(sent), value), value.ToJsonString());
    }

    [Fact]
    public async Task Put_Replace_CreateTimeKeptUpdateTimeRefreshed()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var first = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", AdminCall.Route("/a", "127.0.0.1:1"));
        var createTime = first.Value["create_time"]!.GetValue<long>();

        // Wait (bounded) until the clock has moved past the first write's second, so a refresh is visible.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= createTime && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        var second = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", AdminCall.Route("/b", "127.0.0.1:1"));

        Assert.Equal(200, second.Status);
        Assert.Equal(createTime, second.Value["create_time"]!.GetValue<long>());
        Assert.True(second.Value["update_time"]!.GetValue<long>() > createTime);
        Assert.Equal("/b", second.Value["uri"]!.GetValue<string>());
        var stored = await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1");
        Assert.Equal(createTime, stored.Value["create_time"]!.GetValue<long>());
    }

    [Fact]
    public async Task Put_IdInBody_StoredUnderThatIdAndServed()
    {
        // The form APISIX's docs use: PUT /apisix/admin/routes with "id" in the body.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var body = $$"""{"id":"traffic-mirror-route","uri":"/get","upstream":{"nodes":{"{{upstream.Address}}":1},"type":"roundrobin"} }""";

        var first = await AdminCall.PutAsync(gateway, "/apisix/admin/routes", body);
        var second = await AdminCall.PutAsync(gateway, "/apisix/admin/routes", body);

        Assert.Equal(201, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("/apisix/routes/traffic-mirror-route", first.Json["key"]!.GetValue<string>());
        Assert.Equal("traffic-mirror-route", first.Value["id"]!.GetValue<string>());
        Assert.Equal(200, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/traffic-mirror-route")).Status);
        using var proxied = await gateway.Client.GetAsync(gateway.ProxyUrl + "/get");
        Assert.Equal(200, (int)proxied.StatusCode);
    }

    [Fact]
    public async Task Put_IntegerIdInBody_KeptAsInteger()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes", """{"id":1,"uri":"/i","upstream":{"nodes":{"127.0.0.1:1":1} } }""");
        Assert.Equal(201, answer.Status);
        Assert.Equal("/apisix/routes/1", answer.Json["key"]!.GetValue<string>());
        Assert.Equal(1, answer.Value["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task Put_SameIdInUrlAndBodyAsNumber_Accepted()
    {
        // APISIX compares the two as strings, so 1 and "1" agree.
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", """{"id":1,"uri":"/i","upstream":{"nodes":{"127.0.0.1:1":1} } }""");
        Assert.Equal(201, answer.Status);
    }

    [Fact]
    public async Task Post_Route_201WithTwentyDigitId()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();

        var first = await AdminCall.PostAsync(gateway, "/apisix/admin/routes", AdminCall.Route("/post1", upstream.Address));
        var second = await AdminCall.PostAsync(gateway, "/apisix/admin/routes", AdminCall.Route("/post2", upstream.Address));

        Assert.Equal(201, first.Status);
        Assert.Equal(201, second.Status);
        var id1 = first.Value["id"]!.GetValue<string>();
        var id2 = second.Value["id"]!.GetValue<string>();
        Assert.Matches("^[0-9]{20}$", id1);
        Assert.Matches("^[0-9]{20}$", id2);
        Assert.StartsWith("0000000000", id1, StringComparison.Ordinal);
        Assert.NotEqual(id1, id2);
        Assert.Equal($"/apisix/routes/{id1}", first.Json["key"]!.GetValue<string>());
        Assert.NotNull(first.Value["create_time"]);
        Assert.Equal(200, (await AdminCall.GetAsync(gateway, $"/apisix/admin/routes/{id1}")).Status);
        using var proxied = await gateway.Client.GetAsync(gateway.ProxyUrl + "/post2");
        Assert.Equal(200, (int)proxied.StatusCode);
    }

    [Fact]
    public async Task Delete_Route_DeletedBodyAndNoLongerServed()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/d", upstream.Address));

        var answer = await AdminCall.DeleteAsync(gateway, "/apisix/admin/routes/1");

        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"deleted":"1","key":"/apisix/routes/1"}""", answer.Body);
        using var proxied = await gateway.Client.GetAsync(gateway.ProxyUrl + "/d");
        Assert.Equal(404, (int)proxied.StatusCode);
        Assert.Equal("""{"error_msg":"404 Route Not Found"}""", await proxied.Content.ReadAsStringAsync());
        Assert.Equal(0, upstream.Count);
        Assert.Equal("""{"message":"Key not found"}""", (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body);
    }

    [Fact]
    public async Task Delete_Unknown_404KeyNotFound()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.DeleteAsync(gateway, "/apisix/admin/routes/nope");
        Assert.Equal(404, answer.Status);
        Assert.Equal("""{"message":"Key not found"}""", answer.Body);
    }

    [Fact]
    public async Task Put_ThenProxy_ServedAtOnce()
    {
        // The Admin API answers only once its revision is live, so no polling is needed here.
        await using var upstream = await RecordingServer.StartAsync();
        await using var other = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        for (var i = 0; i < 5; i++)
        {
            var target = i % 2 == 0 ? upstream : other;
            Assert.Equal(i == 0 ? 201 : 200, (await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", AdminCall.Route($"/live{i}", target.Address))).Status);
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + $"/live{i}");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal($"/live{i}", (await target.NextAsync()).RawTarget);
        }

        Assert.Equal(3, upstream.Count);
        Assert.Equal(2, other.Count);
    }

    [Fact]
    public async Task PutUpstream_ThenProxy_NewNodesServedAtOnce()
    {
        await using var a = await RecordingServer.StartAsync();
        await using var b = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams/u1", $$"""{"type":"roundrobin","nodes":{"{{a.Address}}":1} }""")).Status);
        await gateway.PutRouteAsync("1", """{"uri":"/u","upstream_id":"u1"}""");
        using (var first = await gateway.Client.GetAsync(gateway.ProxyUrl + "/u"))
        {
            Assert.Equal(200, (int)first.StatusCode);
        }

        Assert.Equal(200, (await AdminCall.PatchAsync(gateway, "/apisix/admin/upstreams/u1/nodes", $$"""{"{{b.Address}}":1}""")).Status);
        using var second = await gateway.Client.GetAsync(gateway.ProxyUrl + "/u");

        Assert.Equal(200, (int)second.StatusCode);
        Assert.Equal(1, a.Count);
        Assert.Equal(1, b.Count);
    }

    [Fact]
    public async Task PutService_RouteUsesIt_Served()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/services/s1", $$"""{"upstream":{"nodes":{"{{upstream.Address}}":1} } }""")).Status);
        await gateway.PutRouteAsync("1", """{"uri":"/s","service_id":"s1"}""");

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/s");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/s", (await upstream.NextAsync()).RawTarget);
    }
}

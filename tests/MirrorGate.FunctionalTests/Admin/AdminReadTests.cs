using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

public sealed class AdminReadTests
{
    [Fact]
    public async Task GetOne_AcrossWrites_IndexesStrictlyIncrease()
    {
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", AdminCall.Route("/a", "127.0.0.1:1"));
        var one = await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1");
        await gateway.PutRouteAsync("2", AdminCall.Route("/b", "127.0.0.1:1"));
        var two = await AdminCall.GetAsync(gateway, "/apisix/admin/routes/2");
        await gateway.PutRouteAsync("1", AdminCall.Route("/c", "127.0.0.1:1"));
        var oneAgain = await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1");
        Assert.Equal(200, (await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", """{"desc":"x"}""")).Status);
        var onePatched = await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1");

        var json = Assert.IsType<JsonObject>(one.Json);
        Assert.Equal(["key", "value", "createdIndex", "modifiedIndex"], json.Select(p => p.Key));
        long Created(AdminAnswer a) => a.Json["createdIndex"]!.GetValue<long>();
        long Modified(AdminAnswer a) => a.Json["modifiedIndex"]!.GetValue<long>();
        Assert.Equal(Created(one), Modified(one));
        Assert.True(Created(two) > Created(one));
        Assert.Equal(Created(one), Created(oneAgain));
        Assert.True(Modified(oneAgain) > Modified(two));
        Assert.True(Modified(onePatched) > Modified(oneAgain));
        Assert.Equal(Created(one), Created(onePatched));
    }

    [Fact]
    public async Task GetOne_Unknown_404KeyNotFound()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes/404");
        Assert.Equal(404, answer.Status);
        Assert.Equal("""{"message":"Key not found"}""", answer.Body);
        Assert.Equal("application/json", answer.ContentType);
    }

    [Fact]
    public async Task GetList_Empty_EmptyListAndZero()
    {
        await using var gateway = await GatewayNode.StartAsync();
        foreach (var resource in new[] { "routes", "upstreams", "services" })
        {
            var answer = await AdminCall.GetAsync(gateway, $"/apisix/admin/{resource}");
            Assert.Equal(200, answer.Status);
            Assert.Equal("""{"list":[],"total":0}""", answer.Body);
        }
    }

    [Fact]
    public async Task GetList_ThreeRoutes_ItemsWithKeyValueAndIndexes()
    {
        await using var gateway = await GatewayNode.StartAsync();
        foreach (var id in new[] { "1", "2", "10" })
        {
            await gateway.PutRouteAsync(id, AdminCall.Route($"/r{id}", "127.0.0.1:1"));
        }

        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes");

        Assert.Equal(3, answer.Json["total"]!.GetValue<int>());
        var list = answer.Json["list"]!.AsArray();
        Assert.Equal(3, list.Count);
        Assert.Equal(["/apisix/routes/1", "/apisix/routes/10", "/apisix/routes/2"], list.Select(i => i!["key"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        foreach (var item in list)
        {
            Assert.Equal(["key", "value", "createdIndex", "modifiedIndex"], item!.AsObject().Select(p => p.Key));
            Assert.Equal(item["key"]!.GetValue<string>(), "/apisix/routes/" + item["value"]!["id"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task GetList_Paged_PagesInCreationOrderTotalCountsAll()
    {
        await using var gateway = await GatewayNode.StartAsync();
        var ids = Enumerable.Range(1, 23).Select(i => $"r{i}").ToArray();
        foreach (var id in ids)
        {
            await gateway.PutRouteAsync(id, AdminCall.Route($"/{id}", "127.0.0.1:1"));
        }

        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var answer = await AdminCall.GetAsync(gateway, $"/apisix/admin/routes?page={page}&page_size=10");
            Assert.Equal(200, answer.Status);
            Assert.Equal(23, answer.Json["total"]!.GetValue<int>());
            var items = answer.Json["list"]!.AsArray().Select(i => i!["value"]!["id"]!.GetValue<string>()).ToList();
            Assert.Equal(page == 3 ? 3 : 10, items.Count);
            pages.AddRange(items);
        }

        Assert.Equal(ids, pages);
        var beyond = await AdminCall.GetAsync(gateway, "/apisix/admin/routes?page=4&page_size=10");
        Assert.Empty(beyond.Json["list"]!.AsArray());
        Assert.Equal(23, beyond.Json["total"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("9")]
    [InlineData("501")]
    [InlineData("0")]
    [InlineData("x")]
    public async Task GetList_PageSizeOutOfRange_400(string pageSize)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.GetAsync(gateway, $"/apisix/admin/routes?page=1&page_size={pageSize}");
        AdminCall.AssertError(answer, 400, "page_size must be between 10 and 500");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("500")]
    public async Task GetList_PageSizeAtBounds_200(string pageSize)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var answer = await AdminCall.GetAsync(gateway, $"/apisix/admin/routes?page=1&page_size={pageSize}");
        Assert.Equal(200, answer.Status);
    }

    [Fact]
    public async Task GetList_Filters_NameLabelUri()
    {
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", """{"name":"orders-api","labels":{"env":"prod"},"uri":"/orders/*","upstream":{"nodes":{"127.0.0.1:1":1} } }""");
        await gateway.PutRouteAsync("2", """{"name":"users-api","labels":{"env":"dev","team":"a"},"uris":["/users","/people"],"upstream":{"nodes":{"127.0.0.1:1":1} } }""");
        await gateway.PutRouteAsync("3", """{"uri":"/misc","upstream":{"nodes":{"127.0.0.1:1":1} } }""");

        async Task<string[]> Ids(string query)
        {
            var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes?" + query);
            Assert.Equal(200, answer.Status);
            var ids = answer.Json["list"]!.AsArray().Select(i => i!["value"]!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(ids.Length, answer.Json["total"]!.GetValue<int>());
            return ids;
        }

        Assert.Equal(["1"], await Ids("name=orders"));
        Assert.Equal(["1", "2"], await Ids("name=-api$"));
        Assert.Equal(["2"], await Ids("label=team"));
        Assert.Equal(["1", "2"], await Ids("label=env"));
        Assert.Equal(["2"], await Ids("uri=people"));
        Assert.Equal(["1"], await Ids("uri=orders"));
        Assert.Equal(["3"], await Ids("uri=misc"));
        Assert.Empty(await Ids("name=nothing-like-this"));
    }

    [Fact]
    public async Task GetList_FilterAndPage_TotalCountsFilteredBeforePaging()
    {
        await using var gateway = await GatewayNode.StartAsync();
        for (var i = 1; i <= 12; i++)
        {
            var name = i % 2 == 0 ? "even" : "odd";
            await gateway.PutRouteAsync($"r{i}", $$"""{"name":"{{name}}","uri":"/r{{i}}","upstream":{"nodes":{"127.0.0.1:1":1} } }""");
        }

        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/routes?name=even&page=1&page_size=10");

        Assert.Equal(6, answer.Json["total"]!.GetValue<int>());
        Assert.Equal(6, answer.Json["list"]!.AsArray().Count);
    }
}

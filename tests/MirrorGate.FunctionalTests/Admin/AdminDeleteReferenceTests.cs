using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

public sealed class AdminDeleteReferenceTests
{
    [Fact]
    public async Task DeleteUpstream_UsedByRoute_400AndKept()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams/u1", """{"nodes":{"127.0.0.1:1":1} }""")).Status);
        await gateway.PutRouteAsync("1", """{"uri":"/x","upstream_id":"u1"}""");

        var answer = await AdminCall.DeleteAsync(gateway, "/apisix/admin/upstreams/u1");

        AdminCall.AssertError(answer, 400, "can not delete this upstream, route [1] is still using it now");
        Assert.Equal(200, (await AdminCall.GetAsync(gateway, "/apisix/admin/upstreams/u1")).Status);
    }

    [Fact]
    public async Task DeleteUpstream_UsedByService_400NamesService()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams/u1", """{"nodes":{"127.0.0.1:1":1} }""")).Status);
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/services/s1", """{"upstream_id":"u1"}""")).Status);

        var answer = await AdminCall.DeleteAsync(gateway, "/apisix/admin/upstreams/u1");

        AdminCall.AssertError(answer, 400, "can not delete this upstream, service [s1] is still using it now");
    }

    [Fact]
    public async Task DeleteService_UsedByRoute_400AndKept()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/services/s1", """{"upstream":{"nodes":{"127.0.0.1:1":1} } }""")).Status);
        await gateway.PutRouteAsync("7", """{"uri":"/x","service_id":"s1"}""");

        var answer = await AdminCall.DeleteAsync(gateway, "/apisix/admin/services/s1");

        AdminCall.AssertError(answer, 400, "can not delete this service, route [7] is still using it now");
        Assert.Equal(200, (await AdminCall.GetAsync(gateway, "/apisix/admin/services/s1")).Status);
    }

    [Fact]
    public async Task DeleteUpstream_Force_Deleted()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams/u1", """{"nodes":{"127.0.0.1:1":1} }""")).Status);
        await gateway.PutRouteAsync("1", """{"uri":"/x","upstream_id":"u1"}""");

        var answer = await AdminCall.DeleteAsync(gateway, "/apisix/admin/upstreams/u1?force=true");

        Assert.Equal(200, answer.Status);
        Assert.Equal("""{"deleted":"1","key":"/apisix/upstreams/u1"}""", answer.Body);
        Assert.Equal(404, (await AdminCall.GetAsync(gateway, "/apisix/admin/upstreams/u1")).Status);

        // The route stays and says why it cannot proxy, instead of vanishing behind a 404.
        using var proxied = await gateway.Client.GetAsync(gateway.ProxyUrl + "/x");
        Assert.Equal(503, (int)proxied.StatusCode);
        Assert.Equal("""{"error_msg":"missing upstream configuration in Route or Service"}""", await proxied.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DeleteUpstream_Unused_Deleted()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams/u1", """{"nodes":{"127.0.0.1:1":1} }""")).Status);
        var answer = await AdminCall.DeleteAsync(gateway, "/apisix/admin/upstreams/u1");
        Assert.Equal("""{"deleted":"1","key":"/apisix/upstreams/u1"}""", answer.Body);
    }

    [Fact]
    public async Task Delete_NoId_400MissingId()
    {
        await using var gateway = await GatewayNode.StartAsync();
        AdminCall.AssertError(await AdminCall.DeleteAsync(gateway, "/apisix/admin/routes"), 400, "missing route id");
        AdminCall.AssertError(await AdminCall.DeleteAsync(gateway, "/apisix/admin/upstreams"), 400, "missing upstream id");
    }
}

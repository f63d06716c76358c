using System.Net;
using MirrorGate.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>
/// A mirror copy carries its client's headers (the admin key among them) from the node's own
/// address, which allow_admin trusts: the Admin API and the metrics listener refuse anything
/// that carries the mirror marker, key or not.
/// </summary>
public sealed class AdminMirrorCopyTests
{
    [Fact]
    public async Task Put_CarriesMirrorMarkerAndValidKey_403NothingStored()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/evil", System.Text.Encoding.UTF8.GetBytes(AdminCall.Route("/x", "127.0.0.1:1980")), request =>
        {
            request.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
            request.Headers.Add(MirrorMarker.DefaultHeaderName, "some-node");
        });

        AdminCall.AssertError(answer, 403, AdminApiMiddleware.MirrorCopyRefused(new MirrorMarker("n")));
        Assert.Equal(
            "403 Forbidden: this request is a mirror copy (it carries X-MirrorGate-Mirror); mirror copies may not call the Admin API",
            AdminApiMiddleware.MirrorCopyRefused(new MirrorMarker("n")));
        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
    }

    [Fact]
    public async Task Get_CarriesMirrorMarker_403()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/routes", body: null, request =>
        {
            request.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
            request.Headers.Add(MirrorMarker.DefaultHeaderName, gateway.NodeId);
        });

        AdminCall.AssertError(answer, 403, AdminApiMiddleware.MirrorCopyRefused(new MirrorMarker("n")));
    }

    [Fact]
    public async Task Metrics_CarriesMirrorMarker_403()
    {
        await using var gateway = await GatewayNode.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.MetricsPort}/apisix/prometheus/metrics");
        request.Headers.Add(MirrorMarker.DefaultHeaderName, gateway.NodeId);

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(
            """{"error_msg":"403 Forbidden: this request is a mirror copy (it carries X-MirrorGate-Mirror); mirror copies may not read the metrics"}""",
            await response.Content.ReadAsStringAsync());
        Assert.Contains("mirrorgate_", await gateway.MetricsAsync(), StringComparison.Ordinal);
    }
}

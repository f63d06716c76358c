using System.Diagnostics;
using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring;

namespace MirrorGate.FunctionalTests.Dashboard;

/// <summary>
/// <c>GET /apisix/admin/mirror/dashboard</c> on a real node's Admin listener: the same key checks
/// as every Admin call, and counters that follow real mirrored traffic to a real upstream and sink.
/// </summary>
public sealed class MirrorDashboardApiTests
{
    private const string Path = "/apisix/admin/mirror/dashboard";

    [Fact]
    public async Task Get_NoKey_401MissingApikey()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, Path, key: null);

        Assert.Equal(401, answer.Status);
        Assert.Equal("""{"error_msg":"failed to check token","description":"missing apikey"}""", answer.Body);
    }

    [Fact]
    public async Task Get_WrongKey_401WrongApikey()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, Path, key: "not-the-key");

        Assert.Equal(401, answer.Status);
        Assert.Equal("""{"error_msg":"failed to check token","description":"wrong apikey"}""", answer.Body);
    }

    [Fact]
    public async Task Get_ViewerKey_200WithNodeAndRoutes()
    {
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", """{"uri":"/plain","name":"plain","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:9":1}}}""");

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, Path, key: GatewayNode.ViewerKey);

        Assert.Equal(200, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("v3", answer.ApiVersion);
        Assert.Equal(gateway.NodeId, answer.Json["node"]!["node_id"]!.GetValue<string>());
        var route = Assert.Single(answer.Json["routes"]!.AsArray())!;
        Assert.Equal(("1", "plain"), (route["id"]!.GetValue<string>(), route["name"]!.GetValue<string>()));
        Assert.Equal("127.0.0.1:9", route["upstream"]!["nodes"]![0]!["address"]!.GetValue<string>());
        Assert.Null(route["mirror_targets"]);
    }

    [Fact]
    public async Task Post_ViewerKey_401InvalidMethod()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Post, Path, body: "{}", key: GatewayNode.ViewerKey);

        Assert.Equal(401, answer.Status);
        Assert.Contains("invalid method for role viewer", answer.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_AdminKey_405ReadOnly()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Delete, Path);

        AdminCall.AssertError(answer, 405, "method DELETE is not allowed on the mirror dashboard: it is read-only (GET)");
    }

    [Fact]
    public async Task Get_MirrorCopy_403()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, Path, body: null, request =>
        {
            request.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
            request.Headers.Add(MirrorMarker.DefaultHeaderName, "some-node");
        });

        Assert.Equal(403, answer.Status);
    }

    [Fact]
    public async Task Get_MirroredTraffic_CountsEverySettledCopy()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("m", $$"""
            {"uri":"/mirrored","plugins":{"proxy-mirror":{"targets":[{"name":"sink","host":"{{mirror.Url}}","queue_size":16} ] } },
             "upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }
            """);

        const int requests = 5;
        for (var i = 0; i < requests; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/mirrored");
            Assert.Equal(200, (int)response.StatusCode);
        }

        var target = await WaitForTargetAsync(gateway, "m", "sink", t => t["counters"]!["sent"]!.GetValue<long>() == requests);

        var counters = target["counters"]!;
        Assert.Equal(requests, counters["sampled"]!.GetValue<long>());
        Assert.Equal(requests, counters["sent_by_status_class"]!["2xx"]!.GetValue<long>());
        Assert.Equal(0, counters["failed"]!.GetValue<long>() + counters["dropped"]!.GetValue<long>());
        Assert.Equal(requests, target["latency"]!["count"]!.GetValue<long>());
        Assert.NotNull(target["latency"]!["p50_seconds"]);
        Assert.Equal(("closed", "off", 16), (target["circuit"]!.GetValue<string>(), target["kill_switch"]!.GetValue<string>(), target["queue_size"]!.GetValue<int>()));
        Assert.Equal(requests, mirror.Count);
    }

    /// <summary>Polls the endpoint (bounded) until the target's entry satisfies <paramref name="done"/>.</summary>
    internal static async Task<JsonNode> WaitForTargetAsync(GatewayNode gateway, string routeId, string target, Func<JsonNode, bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, Path, key: GatewayNode.ViewerKey);
            Assert.Equal(200, answer.Status);
            var found = answer.Json["routes"]!.AsArray()
                .Single(r => r!["id"]!.GetValue<string>() == routeId)!["mirror_targets"]!.AsArray()
                .Single(t => t!["name"]!.GetValue<string>() == target)!;
            if (done(found))
            {
                return found;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"the dashboard never showed the expected counters: {found.ToJsonString()}");
            await Task.Delay(50);
        }
    }
}

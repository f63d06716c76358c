using System.Globalization;
using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>A whole gateway node on the etcd store: Admin API writes, foreign writes, etcd outages.</summary>
public sealed class EtcdGatewayTests
{
    [Fact]
    public async Task Gateway_RouteViaAdminApiAndRouteStraightInEtcd_BothServed()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        using var client = etcd.CreateClient();

        await gateway.PutRouteAsync("admin", $$"""{"uri":"/via-admin","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");
        using var viaAdmin = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/via-admin");
        await client.PutAsync("/apisix/routes/external",
            $$"""{"id":"external","uri":"/via-etcd","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} },"create_time":1700000000,"update_time":1700000000}""");
        var viaEtcd = await PollStatusAsync(gateway, "/via-etcd", 200);

        Assert.Equal(200, (int)viaAdmin.StatusCode);
        Assert.Equal(200, viaEtcd);
        Assert.Equal(["/via-admin", "/via-etcd"], upstream.Requests.Select(r => r.RawTarget));
        // The Admin API's write is in etcd in APISIX's layout, and its indexes are etcd's revisions.
        var kv = Assert.Single((await client.GetAsync("/apisix/routes/admin")).Kvs);
        var stored = JsonNode.Parse(kv.Value.ToStringUtf8())!;
        Assert.Equal("/via-admin", stored["uri"]!.GetValue<string>());
        Assert.Equal("admin", stored["id"]!.GetValue<string>());
        var (status, body) = await gateway.AdminAsync(HttpMethod.Get, "/apisix/admin/routes/admin");
        Assert.Equal(200, status);
        var read = JsonNode.Parse(body)!;
        Assert.Equal(kv.CreateRevision, read["createdIndex"]!.GetValue<long>());
        Assert.Equal(kv.ModRevision, read["modifiedIndex"]!.GetValue<long>());
    }

    [Fact]
    public async Task Gateway_PostRoute_IdIsTheGenIdRevisionPaddedTo20Digits()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        using var client = etcd.CreateClient();

        var (status, body) = await gateway.AdminAsync(HttpMethod.Post, "/apisix/admin/routes",
            $$"""{"uri":"/posted","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        Assert.Equal(201, status);
        var id = JsonNode.Parse(body)!["value"]!["id"]!.GetValue<string>();
        var genId = Assert.Single((await client.GetAsync("/apisix/gen_id")).Kvs);
        Assert.Equal(genId.ModRevision.ToString("D20", CultureInfo.InvariantCulture), id);
        Assert.Single((await client.GetAsync($"/apisix/routes/{id}")).Kvs);
        using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/posted");
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Gateway_EtcdStoppedThenStarted_AdminAnswers503AndProxyNeverFails()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        await gateway.PutRouteAsync("1", $$"""{"uri":"/live","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        // Traffic runs from before the outage until after etcd is back.
        using var stopTraffic = new CancellationTokenSource();
        var traffic = Task.Run(() => SendUntilStoppedAsync(gateway, "/live", stopTraffic.Token));
        await upstream.WaitForCountAsync(5, TimeSpan.FromSeconds(15));

        await etcd.StopAsync();
        await gateway.Logs.WaitForAsync("Lost the watch on etcd", TimeSpan.FromSeconds(30));
        var (putStatus, putBody) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/routes/2",
            $$"""{"uri":"/new","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");
        var (getStatus, getBody) = await gateway.AdminAsync(HttpMethod.Get, "/apisix/admin/routes/1");
        var servedDuringOutage = upstream.Count;
        await upstream.WaitForCountAsync(servedDuringOutage + 5, TimeSpan.FromSeconds(15));

        await etcd.RestartAsync();
        var afterRestart = await PollAdminPutAsync(gateway, "2", $$"""{"uri":"/new","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");
        using var newRoute = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/new");
        var servedAfter = upstream.Count;
        await upstream.WaitForCountAsync(servedAfter + 5, TimeSpan.FromSeconds(15));
        await stopTraffic.CancelAsync();
        var (sent, failures) = await traffic;

        Assert.Equal(503, putStatus);
        var error = JsonNode.Parse(putBody)!["error_msg"]!.GetValue<string>();
        Assert.StartsWith("the configuration store is unavailable: ", error, StringComparison.Ordinal);
        Assert.Contains(etcd.ClientUrl, error, StringComparison.Ordinal);
        Assert.Equal(503, getStatus);
        Assert.Contains(etcd.ClientUrl, getBody, StringComparison.Ordinal);
        Assert.Equal(201, afterRestart);
        Assert.Equal(200, (int)newRoute.StatusCode);
        Assert.True(sent > 15, $"only {sent} requests were sent");
        Assert.Empty(failures);
    }

    /// <summary>Sends GETs back to back until stopped; returns how many were sent and every failure (status or exception).</summary>
    private static async Task<(int Sent, List<string> Failures)> SendUntilStoppedAsync(GatewayNode gateway, string path, CancellationToken stop)
    {
        var failures = new List<string>();
        var sent = 0;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        while (!stop.IsCancellationRequested)
        {
            sent++;
            try
            {
                using var response = await client.GetAsync($"{gateway.ProxyUrl}{path}", CancellationToken.None);
                if ((int)response.StatusCode != 200)
                {
                    failures.Add($"request {sent}: {(int)response.StatusCode}");
                }
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"request {sent}: {ex.Message}");
            }

            await Task.Delay(10, CancellationToken.None);
        }

        return (sent, failures);
    }

    /// <summary>Polls (bounded) until <paramref name="path"/> answers <paramref name="expected"/>; returns the last status.</summary>
    private static async Task<int> PollStatusAsync(GatewayNode gateway, string path, int expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}{path}");
            if ((int)response.StatusCode == expected || DateTime.UtcNow > deadline)
            {
                return (int)response.StatusCode;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>PUTs a route until the Admin API stops answering 503 (etcd coming back), bounded; returns the final status.</summary>
    private static async Task<int> PollAdminPutAsync(GatewayNode gateway, string id, string json)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var (status, _) = await gateway.AdminAsync(HttpMethod.Put, $"/apisix/admin/routes/{id}", json);
            if (status != 503 || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }
}

using System.Text.Json.Nodes;
using Etcdserverpb;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Proxy;
using Xunit.Abstractions;

namespace MirrorGate.FunctionalTests.Cluster;

/// <summary>
/// etcd going away (stopped, or cut off from one node) and etcd compacting its history: nodes
/// keep serving what they have, refuse writes they cannot make, and converge once etcd is back.
/// </summary>
public sealed class OutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EtcdStoppedAndStartedUnderLoad_NoProxyFailure_AdminAnswers503ThenSucceeds()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await ProxyKit.NamedAsync("up");
        var nodes = await ClusterKit.StartNodesAsync(etcd, 3);
        try
        {
            await nodes[0].PutRouteAsync("load", $$"""{"uri":"/load/*","upstream":{{ProxyKit.To(upstream)}} }""");
            foreach (var node in nodes)
            {
                await ClusterKit.WaitForStatusAsync(node.ProxyUrl, "/load/warm", 200);
            }

            await using var load = new ProxyLoad(nodes.Select(n => n.ProxyUrl + "/load/x"));
            await load.WaitForMoreAsync(300);

            await etcd.StopAsync();
            var (putStatus, putBody) = await nodes[1].AdminAsync(HttpMethod.Put, "/apisix/admin/routes/during", $$"""{"uri":"/during","upstream":{{ProxyKit.To(upstream)}} }""");
            Assert.Equal(503, putStatus);
            Assert.Contains("the configuration store is unavailable", JsonNode.Parse(putBody)!["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains(etcd.ClientUrl, putBody, StringComparison.Ordinal);
            Assert.Equal(503, (await nodes[2].AdminAsync(HttpMethod.Get, "/apisix/admin/routes/load")).Status);
            Assert.Equal(503, (await nodes[0].AdminAsync(HttpMethod.Delete, "/apisix/admin/routes/load")).Status);

            // Traffic carried on while etcd was gone (a few hundred more answers, all counted).
            await load.WaitForMoreAsync(300);
            output.WriteLine($"{load.Succeeded} proxied requests succeeded up to etcd's restart");
            await etcd.RestartAsync();

            // The first write after the restart may still meet a connection being re-established.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            int status;
            do
            {
                (status, _) = await nodes[2].AdminAsync(HttpMethod.Put, "/apisix/admin/routes/after", $$"""{"uri":"/after","upstream":{{ProxyKit.To(upstream)}} }""");
            }
            while (status == 503 && DateTime.UtcNow < deadline);
            Assert.Equal(201, status);

            // Every node's watch came back by itself: the new route is served everywhere.
            foreach (var node in nodes)
            {
                var elapsed = await ClusterKit.WaitForStatusAsync(node.ProxyUrl, "/after", 200, TimeSpan.FromSeconds(30));
                output.WriteLine($"node on {node.ProxyPort} served the route written after the restart within {elapsed.TotalMilliseconds:F0} ms");
                Assert.Equal(404, (await ClusterKit.GetAsync(node.ProxyUrl, "/during")).Status);
            }

            await load.WaitForMoreAsync(100);
            await load.StopAsync();
            output.WriteLine($"{load.Succeeded} proxied requests in all, {load.Failures.Count} failed");
            Assert.True(load.Failures.Count == 0, string.Join("\n", load.Failures.Take(20)));
        }
        finally
        {
            await ClusterKit.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task NodeCutOffWhileEtcdCompacts_Reconnects_ResyncsAndConverges()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await ProxyKit.NamedAsync("up");
        await using var relay = new TcpRelay(etcd.ClientPort);
        var nodes = (await ClusterKit.StartNodesAsync(etcd, 2)).ToList();
        try
        {
            nodes.Add(await ClusterKit.StartNodeOnAsync(relay.Url));
            var (a, b, cutOff) = (nodes[0], nodes[1], nodes[2]);
            await a.PutAsync("/apisix/admin/upstreams/u", ProxyKit.To(upstream));
            await a.PutRouteAsync("old", """{"uri":"/old","upstream_id":"u"}""");
            await ClusterKit.WaitForStatusAsync(cutOff.ProxyUrl, "/old", 200);

            relay.Cut();
            for (var i = 0; i < 10; i++)
            {
                await a.PutRouteAsync($"while-cut-{i}", $$"""{"uri":"/while-cut/{{i}}","upstream_id":"u"}""");
            }

            Assert.Equal(200, (await a.AdminAsync(HttpMethod.Delete, "/apisix/admin/routes/old")).Status);

            // Compact everything written so far: the cut-off node's watch cannot resume from where it stopped.
            using (var client = etcd.CreateClient())
            {
                var revision = (await client.GetAsync("/apisix/routes/while-cut-9")).Header.Revision;
                await client.CompactAsync(new CompactionRequest { Revision = revision, Physical = true });
                output.WriteLine($"compacted at revision {revision}");
            }

            // Nodes whose watch was live through the compaction keep following.
            for (var i = 0; i < 5; i++)
            {
                await b.PutRouteAsync($"after-compaction-{i}", $$"""{"uri":"/after-compaction/{{i}}","upstream_id":"u"}""");
            }

            foreach (var node in new[] { a, b })
            {
                await ClusterKit.WaitForStatusAsync(node.ProxyUrl, "/after-compaction/4", 200);
            }

            // Cut off, the node still serves its last good configuration.
            Assert.Equal((200, "up"), await ClusterKit.GetAsync(cutOff.ProxyUrl, "/old"));
            Assert.Equal(404, (await ClusterKit.GetAsync(cutOff.ProxyUrl, "/while-cut/0")).Status);

            relay.Restore();
            var elapsed = await ClusterKit.WaitForStatusAsync(cutOff.ProxyUrl, "/after-compaction/4", 200, TimeSpan.FromSeconds(60));
            output.WriteLine($"the cut-off node converged {elapsed.TotalMilliseconds:F0} ms after the path came back");
            foreach (var node in nodes)
            {
                for (var i = 0; i < 10; i++)
                {
                    Assert.Equal((200, "up"), await ClusterKit.GetAsync(node.ProxyUrl, $"/while-cut/{i}"));
                }

                Assert.Equal(404, (await ClusterKit.GetAsync(node.ProxyUrl, "/old")).Status);
            }

            // The cut-off node rebuilt from a full read; the others never lost their watch to the compaction.
            Assert.True(cutOff.Logs.Contains("resyncing the configuration in full"), string.Join("\n", cutOff.Logs.Lines.Select(l => l.Message)));
            Assert.False(a.Logs.Contains("Lost the watch") || b.Logs.Contains("Lost the watch"));
            Assert.False(a.Logs.Contains("fell behind a compaction") || b.Logs.Contains("fell behind a compaction"));

            // And it follows new writes again.
            await a.PutRouteAsync("last", """{"uri":"/last","upstream_id":"u"}""");
            await ClusterKit.WaitForStatusAsync(cutOff.ProxyUrl, "/last", 200, TimeSpan.FromSeconds(10));
        }
        finally
        {
            await ClusterKit.DisposeAllAsync(nodes);
        }
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Proxy;
using Xunit.Abstractions;

namespace MirrorGate.FunctionalTests.Cluster;

/// <summary>Several nodes on one etcd: what one node's Admin API (or another etcd writer) changes, every node serves.</summary>
public sealed class PropagationTests(ITestOutputHelper output)
{
    private const int Writes = 50;

    [Fact]
    public async Task PutOnNodeA_ServedByNodeB_P99UnderOneSecond()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await ProxyKit.NamedAsync("up");
        var nodes = await ClusterKit.StartNodesAsync(etcd, 2);
        try
        {
            var (a, b) = (nodes[0], nodes[1]);
            await a.PutAsync("/apisix/admin/upstreams/u", ProxyKit.To(upstream));

            // One unmeasured write first: it pays for code paths running for the first time.
            var samples = new List<TimeSpan>();
            for (var i = 0; i <= Writes; i++)
            {
                await a.PutRouteAsync($"p{i}", $$"""{"uri":"/p/{{i}}","upstream_id":"u"}""");
                var elapsed = await ClusterKit.WaitForStatusAsync(b.ProxyUrl, $"/p/{i}", 200, TimeSpan.FromSeconds(10));
                if (i > 0)
                {
                    samples.Add(elapsed);
                }
            }

            var median = ClusterKit.Percentile(samples, 50);
            var p99 = ClusterKit.Percentile(samples, 99);
            output.WriteLine($"route PUT on node A (2xx) until node B serves it, {samples.Count} writes: median {median.TotalMilliseconds:F1} ms, p99 {p99.TotalMilliseconds:F1} ms, max {samples.Max().TotalMilliseconds:F1} ms");
            Assert.True(p99 < TimeSpan.FromSeconds(1), $"p99 {p99.TotalMilliseconds:F0} ms");
            Assert.Equal("up", (await ClusterKit.GetAsync(b.ProxyUrl, "/p/1")).Body);
        }
        finally
        {
            await ClusterKit.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task DeleteOnNodeB_EveryNodeStopsServing()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await ProxyKit.NamedAsync("up");
        var nodes = await ClusterKit.StartNodesAsync(etcd, 3);
        try
        {
            await nodes[0].PutRouteAsync("gone", $$"""{"uri":"/gone","upstream":{{ProxyKit.To(upstream)}} }""");
            await nodes[0].PutRouteAsync("kept", $$"""{"uri":"/kept","upstream":{{ProxyKit.To(upstream)}} }""");
            foreach (var node in nodes)
            {
                await ClusterKit.WaitForStatusAsync(node.ProxyUrl, "/gone", 200);
            }

            var (status, body) = await nodes[1].AdminAsync(HttpMethod.Delete, "/apisix/admin/routes/gone");
            Assert.Equal(200, status);
            Assert.Equal("1", JsonNode.Parse(body)!["deleted"]!.GetValue<string>());

            foreach (var node in nodes)
            {
                var elapsed = await ClusterKit.WaitForStatusAsync(node.ProxyUrl, "/gone", 404, TimeSpan.FromSeconds(10));
                output.WriteLine($"node on {node.ProxyPort} stopped serving the deleted route after {elapsed.TotalMilliseconds:F1} ms");
                Assert.Equal((200, "up"), await ClusterKit.GetAsync(node.ProxyUrl, "/kept"));
                Assert.Equal(404, (await node.AdminAsync(HttpMethod.Get, "/apisix/admin/routes/gone")).Status);
            }
        }
        finally
        {
            await ClusterKit.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task HandWrittenApisixKey_ServedByEveryNode_UnusableKeysSkippedWithErrorLog()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await ProxyKit.NamedAsync("hand");
        var nodes = await ClusterKit.StartNodesAsync(etcd, 3);
        try
        {
            using (var client = etcd.CreateClient())
            {
                // What APISIX's init_etcd and Admin API leave in etcd, written by hand: a placeholder
                // directory key, then a route value exactly as APISIX stores it.
                await client.PutAsync("/apisix/routes/", "init_dir");
                await client.PutAsync("/apisix/routes/broken", "{not json");
                await client.PutAsync("/apisix/upstreams/1", $$"""{"id":"1","type":"roundrobin","nodes":[{"host":"127.0.0.1","port":{{upstream.Port}},"weight":1}],"create_time":1700000000,"update_time":1700000000}""");
                await client.PutAsync("/apisix/routes/hand", """{"id":"hand","uri":"/hand/*","methods":["GET"],"upstream_id":"1","priority":0,"status":1,"create_time":1700000000,"update_time":1700000000}""");
            }

            foreach (var node in nodes)
            {
                await ClusterKit.WaitForStatusAsync(node.ProxyUrl, "/hand/x", 200);
                Assert.Equal((200, "hand"), await ClusterKit.GetAsync(node.ProxyUrl, "/hand/x"));
                Assert.Equal(404, (await ClusterKit.GetAsync(node.ProxyUrl, "/other")).Status);

                var (status, body) = await node.AdminAsync(HttpMethod.Get, "/apisix/admin/routes/hand");
                Assert.Equal(200, status);
                Assert.Equal(1700000000, JsonNode.Parse(body)!["value"]!["create_time"]!.GetValue<long>());

                await node.Logs.WaitForAsync("/apisix/routes/broken");
                Assert.True(node.Logs.Contains("/apisix/routes/broken", LogLevel.Error));
            }
        }
        finally
        {
            await ClusterKit.DisposeAllAsync(nodes);
        }
    }

    [Fact]
    public async Task ProxyMirror_RouteWrittenThroughOneNode_EveryNodeMirrors()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await ProxyKit.NamedAsync("primary");
        await using var mirror = await RecordingServer.StartAsync();
        var nodes = await ClusterKit.StartNodesAsync(etcd, 3, pluginAttrYaml: "  proxy-mirror:\n    timeout: {connect: 2s, read: 2s, send: 2s}");
        try
        {
            await nodes[0].PutRouteAsync("m", $$"""{"uri":"/m","upstream":{{ProxyKit.To(upstream)}},"plugins":{"proxy-mirror":{"host":"http://{{mirror.Address}}"} } }""");
            for (var i = 0; i < nodes.Length; i++)
            {
                await ClusterKit.WaitForStatusAsync(nodes[i].ProxyUrl, $"/m?from=warm{i}", 200);
            }

            await mirror.WaitForCountAsync(nodes.Length);
            for (var i = 0; i < nodes.Length; i++)
            {
                Assert.Equal((200, "primary"), await ClusterKit.GetAsync(nodes[i].ProxyUrl, $"/m?from=node{i}"));
            }

            await mirror.WaitForCountAsync(2 * nodes.Length);
            Assert.Equal(
                Enumerable.Range(0, nodes.Length).Select(i => $"/m?from=node{i}"),
                mirror.Requests.Select(r => r.RawTarget).Where(t => t.Contains("from=node", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            foreach (var node in nodes)
            {
                Assert.True(await node.MetricSumAsync("mirrorgate_mirror_sampled_total", "route=\"m\"") >= 2, await node.MetricsAsync());
            }
        }
        finally
        {
            await ClusterKit.DisposeAllAsync(nodes);
        }
    }
}

using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MirrorGate.Balancing;
using MirrorGate.FunctionalTests.Cluster;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring;
using MirrorGate.Plugins.ProxyMirror;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// The shadow-testing controls end to end, with a real gateway, upstream and mirrors: several
/// targets, filters, consistent sampling, header edits, a renamed marker, per-target timeouts
/// and the kill switch.
/// </summary>
public sealed class ProxyMirrorShadowControlsTests
{
    private static string Target(string labelValue) => Label("target", labelValue);

    /// <summary>The users a consistent ratio takes: the same rule the gateway applies, computed here independently of it.</summary>
    private static bool Takes(string user, double ratio) => StableHash.Of(user) / 4294967296.0 < ratio;

    [Fact]
    public async Task Get_TwoTargets_EachReceivesItsOwnCopyPathAndMetrics()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var blue = await RecordingServer.StartAsync();
        await using var green = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", $$"""
            "targets":[{"host":"http://{{blue.Address}}","name":"blue","path":"/b"},
                       {"host":"http://{{green.Address}}","path":"/g","path_concat_mode":"prefix"}]
            """, upstream.Address));

        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/hello?i={i}");
            Assert.Equal(200, (int)response.StatusCode);
        }

        await blue.WaitForCountAsync(3);
        await green.WaitForCountAsync(3);
        await WaitForMetricAsync(gateway, 3, "mirrorgate_mirror_sent_total", Target("blue"));
        await WaitForMetricAsync(gateway, 3, "mirrorgate_mirror_sent_total", Target($"http://{green.Address}"));
        Assert.Equal(["/b?i=0", "/b?i=1", "/b?i=2"], blue.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        Assert.Equal(["/g/hello?i=0", "/g/hello?i=1", "/g/hello?i=2"], green.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        Assert.Equal(3, upstream.Count);
        Assert.Equal(3, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total", Target("blue")));
    }

    [Fact]
    public async Task Post_TwoTargets_BothCopiesCarryTheWholeBody()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var a = await RecordingServer.StartAsync();
        await using var b = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/up", $$"""
            "targets":[{"host":"http://{{a.Address}}","name":"a"},{"host":"http://{{b.Address}}","name":"b"}]
            """, upstream.Address));
        var body = RandomBytes(300_000, seed: 9);

        using var response = await gateway.Client.PostAsync($"{gateway.ProxyUrl}/up", new ByteArrayContent(body));

        Assert.Equal(200, (int)response.StatusCode);
        var copyA = await a.NextAsync();
        var copyB = await b.NextAsync();
        Assert.Equal(Sha256(body), Sha256(copyA.Body));
        Assert.Equal(Sha256(body), Sha256(copyB.Body));
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_buffered_bytes");
    }

    [Fact]
    public async Task Put_HostAndTargets_400NothingStored()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var (status, body) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/routes/1",
            Route("/x", """ "host":"http://127.0.0.1:1999","targets":[{"host":"http://127.0.0.1:1998"}] """, "127.0.0.1:1980"));

        Assert.Equal(400, status);
        Assert.Contains("failed to check the configuration of plugin proxy-mirror err: property \\\"host\\\" validation failed: \\\"host\\\" and \\\"targets\\\" cannot both be set", body);
        Assert.Equal(404, (await gateway.AdminAsync(HttpMethod.Get, "/apisix/admin/routes/1")).Status);
    }

    [Fact]
    public async Task Requests_MethodsAndVarsFilters_OnlyMatchingMirroredOthersNotSampled()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/f", $$"""
            "host":"http://{{mirror.Address}}","methods":["POST"],"vars":[["http_x_canary","==","yes"]]
            """, upstream.Address));

        async Task SendAsync(HttpMethod method, string id, bool canary)
        {
            using var request = new HttpRequestMessage(method, $"{gateway.ProxyUrl}/f?id={id}");
            if (method == HttpMethod.Post) request.Content = new StringContent(id);
            if (canary) request.Headers.Add("X-Canary", "yes");
            using var response = await gateway.Client.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
        }

        await SendAsync(HttpMethod.Get, "get-canary", canary: true);
        await SendAsync(HttpMethod.Post, "post-plain", canary: false);
        await SendAsync(HttpMethod.Post, "post-canary", canary: true);

        var copy = await mirror.NextAsync();
        Assert.Equal("/f?id=post-canary", copy.RawTarget);
        await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_sent_total");
        Assert.Equal(1, mirror.Count);
        Assert.Equal(3, upstream.Count);
        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
    }

    [Fact]
    public async Task Get_SampleKey_EachUserAlwaysOrNeverMirroredByTheHashOfItsId()
    {
        const int users = 120;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/k", $$"""
            "host":"http://{{mirror.Address}}","sample_ratio":0.3,"sample_key":"http_x_user_id"
            """, upstream.Address));

        for (var round = 0; round < 2; round++)
        {
            for (var u = 0; u < users; u++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway.ProxyUrl}/k?u={u}&r={round}");
                request.Headers.Add("X-User-Id", $"user-{u}");
                using var response = await gateway.Client.SendAsync(request);
                Assert.Equal(200, (int)response.StatusCode);
            }
        }

        var expected = Enumerable.Range(0, users).Where(u => Takes($"user-{u}", 0.3)).ToArray();
        await WaitForMetricAsync(gateway, 2 * expected.Length, "mirrorgate_mirror_sent_total");
        var seen = mirror.Requests.Select(r => r.Header("X-User-Id")!).GroupBy(u => u).ToDictionary(g => g.Key, g => g.Count());

        // Every mirrored user was mirrored in both rounds, exactly the users the hash takes.
        Assert.Equal(expected.Select(u => $"user-{u}").Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        Assert.All(seen.Values, count => Assert.Equal(2, count));

        // The share of distinct users is close to the ratio: 6 sd of a binomial share of 120.
        Assert.InRange((double)expected.Length / users, 0.3 - 6 * Math.Sqrt(0.3 * 0.7 / users), 0.3 + 6 * Math.Sqrt(0.3 * 0.7 / users));
        Assert.Equal(2 * expected.Length, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
    }

    [Fact]
    public async Task Get_HeaderEdits_SeenByTheMirrorNotByTheUpstream()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/h", $$"""
            "host":"http://{{mirror.Address}}","headers":{"set":{"X-Env":"shadow"},"remove":["Authorization","X-Session"]}
            """, upstream.Address));

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway.ProxyUrl}/h");
        request.Headers.Add("Authorization", "Bearer secret");
        request.Headers.Add("X-Session", "s1");
        request.Headers.Add("X-Env", "prod");
        request.Headers.Add("X-Kept", "k");
        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);

        var copy = await mirror.NextAsync();
        Assert.Equal("shadow", copy.Header("X-Env"));
        Assert.Null(copy.Header("Authorization"));
        Assert.Null(copy.Header("X-Session"));
        Assert.Equal("k", copy.Header("X-Kept"));
        Assert.Equal(gateway.NodeId, copy.Header(MirrorMarker.DefaultHeaderName));

        var primary = Assert.Single(upstream.Requests);
        Assert.Equal("prod", primary.Header("X-Env"));
        Assert.Equal("Bearer secret", primary.Header("Authorization"));
        Assert.Equal("s1", primary.Header("X-Session"));
        Assert.Null(primary.Header(MirrorMarker.DefaultHeaderName));
    }

    [Fact]
    public async Task MarkerHeaderRenamed_CopiesCarryItMarkedRequestsDroppedAdminAndMetricsRefuseBothNames()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync(pluginAttrYaml: "  proxy-mirror:\n    marker_header: X-Shadow-Of");
        await gateway.PutRouteAsync("1", Route("/m", $$""" "host":"http://{{mirror.Address}}" """, upstream.Address));

        using (var plain = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/m?n=1"))
        {
            Assert.Equal(200, (int)plain.StatusCode);
        }

        var copy = await mirror.NextAsync();
        Assert.Equal(gateway.NodeId, copy.Header("X-Shadow-Of"));
        Assert.Null(copy.Header(MirrorMarker.DefaultHeaderName));

        foreach (var name in new[] { "X-Shadow-Of", MirrorMarker.DefaultHeaderName })
        {
            using var marked = new HttpRequestMessage(HttpMethod.Get, $"{gateway.ProxyUrl}/m?n=marked");
            marked.Headers.Add(name, "another-node");
            using var response = await gateway.Client.SendAsync(marked);
            Assert.Equal(200, (int)response.StatusCode);

            using var admin = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.AdminPort}/apisix/admin/routes");
            admin.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
            admin.Headers.Add(name, "another-node");
            using var adminAnswer = await gateway.Client.SendAsync(admin);
            Assert.Equal(403, (int)adminAnswer.StatusCode);
            Assert.Contains("X-Shadow-Of or X-MirrorGate-Mirror", await adminAnswer.Content.ReadAsStringAsync());

            using var metrics = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.MetricsPort}/apisix/prometheus/metrics");
            metrics.Headers.Add(name, "another-node");
            using var metricsAnswer = await gateway.Client.SendAsync(metrics);
            Assert.Equal(403, (int)metricsAnswer.StatusCode);
        }

        await WaitForMetricAsync(gateway, 2, "mirrorgate_mirror_dropped_total", Label("reason", "loop"));
        Assert.Equal(1, mirror.Count);
        Assert.True(gateway.Logs.Contains("mirror copies carry it in X-Shadow-Of"));
    }

    [Fact]
    public async Task Put_HeaderEditOfTheRenamedMarker_400()
    {
        await using var gateway = await GatewayNode.StartAsync(pluginAttrYaml: "  proxy-mirror:\n    marker_header: X-Shadow-Of");

        var (status, body) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/routes/1",
            Route("/x", """ "host":"http://127.0.0.1:1999","headers":{"remove":["x-shadow-of"]} """, "127.0.0.1:1980"));

        Assert.Equal(400, status);
        Assert.Contains("is the mirror marker", body);
    }

    [Fact]
    public async Task Get_TargetReadTimeout_FailsTimeoutQuicklyWhileTheNodeDefaultIsSixtySeconds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await RecordingServer.StartAsync();
        await using var slow = await RecordingServer.StartAsync();
        slow.Respond = async http =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await http.Response.WriteAsync("late");
        };
        try
        {
            await using var gateway = await GatewayNode.StartAsync();
            await gateway.PutRouteAsync("1", Route("/t", $$""" "host":"http://{{slow.Address}}","timeout":{"read":0.5} """, upstream.Address));

            var clock = Stopwatch.StartNew();
            using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/t");
            Assert.Equal(200, (int)response.StatusCode);
            await slow.NextAsync();
            await WaitForMetricAsync(gateway, 1, "mirrorgate_mirror_failed_total", Label("reason", "timeout"));

            // 0.5 s plus the sweep's granularity, far from the node's 60 s.
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.45), TimeSpan.FromSeconds(10));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Get_KillSwitch_TripsOnTimeoutsDropsCircuitOpenLogsThenRecoversAfterCoolDown()
    {
        var slowNow = 1; // 1: the mirror holds its answers; 0: it answers at once
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        mirror.Respond = async http =>
        {
            if (Volatile.Read(ref slowNow) == 1)
            {
                await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            await http.Response.WriteAsync("ok");
        };
        try
        {
            await using var gateway = await GatewayNode.StartAsync();
            await gateway.PutRouteAsync("ks", Route("/ks", $$"""
                "host":"http://{{mirror.Address}}","name":"shaky","timeout":{"read":0.3},
                "max_failure_ratio":0.5,"min_copies":3,"failure_window":30,"cool_down":1
                """, upstream.Address));

            // Send until the switch trips: three timeouts in a window of three settled copies.
            var deadline = Stopwatch.StartNew();
            var i = 0;
            while (await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", Label("reason", "circuit_open")) < 1)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), await gateway.MetricsAsync());
                using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/ks?i={i++}");
                Assert.Equal(200, (int)response.StatusCode);
                await Task.Delay(50);
            }

            await gateway.Logs.WaitForAsync("Mirror target shaky of route ks:");
            Assert.Equal(1, gateway.Logs.Count("kill switch open"));
            Assert.True(gateway.Logs.Contains("kill switch open", LogLevel.Warning));
            Assert.True(await gateway.MetricSumAsync("mirrorgate_mirror_failed_total", Label("reason", "timeout"), Target("shaky")) >= 3);

            // The mirror is healthy again: after the cool-down, copies flow and are answered.
            Volatile.Write(ref slowNow, 0);
            deadline.Restart();
            while (await gateway.MetricSumAsync("mirrorgate_mirror_sent_total", Target("shaky")) < 1)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), await gateway.MetricsAsync());
                using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/ks?after={i++}");
                Assert.Equal(200, (int)response.StatusCode);
                await Task.Delay(50);
            }

            await gateway.Logs.WaitForAsync("receives copies again");
            Assert.Equal(1, gateway.Logs.Count("receives copies again"));
            Assert.Equal(1, gateway.Logs.Count("kill switch open"));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Get_SampleKeyOnTwoNodesSharingEtcd_SameUsersMirroredByBoth()
    {
        const int users = 60;
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        var nodes = await ClusterKit.StartNodesAsync(etcd, 2);
        try
        {
            await nodes[0].PutRouteAsync("c", Route("/c", $$"""
                "host":"http://{{mirror.Address}}","sample_ratio":0.5,"sample_key":"arg_uid"
                """, upstream.Address));
            await ClusterKit.WaitForStatusAsync(nodes[1].ProxyUrl, "/c?warm=1", 200);

            for (var n = 0; n < nodes.Length; n++)
            {
                for (var u = 0; u < users; u++)
                {
                    Assert.Equal(200, (await ClusterKit.GetAsync(nodes[n].ProxyUrl, $"/c?uid=user-{u}&node={n}")).Status);
                }
            }

            var expected = Enumerable.Range(0, users).Where(u => Takes($"user-{u}", 0.5)).Select(u => $"user-{u}").ToArray();
            await mirror.WaitForCountAsync(2 * expected.Length);
            string[] UsersFrom(int node) => mirror.Requests
                .Select(r => r.RawTarget)
                .Where(t => t.EndsWith($"&node={node}", StringComparison.Ordinal))
                .Select(t => t["/c?uid=".Length..t.IndexOf('&')])
                .Order(StringComparer.Ordinal)
                .ToArray();

            Assert.Equal(expected.Order(StringComparer.Ordinal), UsersFrom(0));
            Assert.Equal(UsersFrom(0), UsersFrom(1));
        }
        finally
        {
            await ClusterKit.DisposeAllAsync(nodes);
        }
    }
}

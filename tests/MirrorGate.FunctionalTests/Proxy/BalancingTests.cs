using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>Load balancing across real upstream nodes, counted on the nodes themselves.</summary>
public sealed class BalancingTests
{
    [Fact]
    public async Task Get_RoundRobinWeights3To1_ExactProportionsOverCycles()
    {
        await using var heavy = await ProxyKit.NamedAsync("heavy");
        await using var light = await ProxyKit.NamedAsync("light");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/rr","upstream":{"type":"roundrobin","nodes":{"{{heavy.Address}}":3,"{{light.Address}}":1} } }
            """);

        for (var i = 0; i < 40; i++)
        {
            await gateway.BodyAsync("/rr");
        }

        Assert.Equal(30, heavy.Count);
        Assert.Equal(10, light.Count);
    }

    [Fact]
    public async Task Get_RoundRobinNodesAsArray_WeightsHonoured()
    {
        await using var a = await ProxyKit.NamedAsync("a");
        await using var b = await ProxyKit.NamedAsync("b");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/rr","upstream":{"type":"roundrobin","nodes":[
              {"host":"127.0.0.1","port":{{a.Port}},"weight":2},
              {"host":"127.0.0.1","port":{{b.Port}},"weight":3}]} }
            """);

        for (var i = 0; i < 25; i++)
        {
            await gateway.BodyAsync("/rr");
        }

        Assert.Equal(10, a.Count);
        Assert.Equal(15, b.Count);
    }

    [Fact]
    public async Task Get_ChashOnHeader_SameKeySticksAndKeysSpread()
    {
        await using var a = await ProxyKit.NamedAsync("a");
        await using var b = await ProxyKit.NamedAsync("b");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/c","upstream":{"type":"chash","hash_on":"header","key":"x-user-id",
              "nodes":{"{{a.Address}}":1,"{{b.Address}}":1} } }
            """);

        // Stickiness: every key goes to the node it went to the first time.
        var chosen = new Dictionary<string, string>();
        for (var round = 0; round < 3; round++)
        {
            for (var user = 0; user < 64; user++)
            {
                var key = $"user-{user}";
                var node = await gateway.BodyAsync("/c", configure: r => r.Headers.Add("X-User-Id", key));
                Assert.Equal(chosen.TryAdd(key, node) ? node : chosen[key], node);
            }
        }

        // Spread: 64 distinct keys all landing on one of two equal nodes is a broken hash
        // (for a fair ring, 2 * 2^-64).
        var onA = chosen.Values.Count(v => v == "a");
        Assert.InRange(onA, 1, 63);
    }

    [Fact]
    public async Task Get_ChashOnQueryArgument_SameArgumentSticks()
    {
        await using var a = await ProxyKit.NamedAsync("a");
        await using var b = await ProxyKit.NamedAsync("b");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/c","upstream":{"type":"chash","hash_on":"vars","key":"arg_user",
              "nodes":{"{{a.Address}}":1,"{{b.Address}}":1} } }
            """);

        var chosen = new Dictionary<int, string>();
        for (var user = 0; user < 32; user++)
        {
            chosen[user] = await gateway.BodyAsync($"/c?user={user}");
        }

        for (var user = 0; user < 32; user++)
        {
            Assert.Equal(chosen[user], await gateway.BodyAsync($"/c?user={user}&other={user * 7}"));
        }

        Assert.InRange(chosen.Values.Count(v => v == "a"), 1, 31);
    }

    [Fact]
    public async Task Get_NodePriorities_LowerPriorityOnlyWhenHigherFail()
    {
        await using var primary = await ProxyKit.NamedAsync("primary");
        await using var backup = await ProxyKit.NamedAsync("backup");
        var closedPort = FreePort.Next();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/healthy","upstream":{"type":"roundrobin","nodes":[
              {"host":"127.0.0.1","port":{{primary.Port}},"weight":1,"priority":10},
              {"host":"127.0.0.1","port":{{backup.Port}},"weight":100,"priority":0}]} }
            """);
        await gateway.PutRouteAsync("2", $$"""
            {"uri":"/failover","upstream":{"type":"roundrobin","nodes":[
              {"host":"127.0.0.1","port":{{closedPort}},"weight":1,"priority":10},
              {"host":"127.0.0.1","port":{{backup.Port}},"weight":1,"priority":0}]} }
            """);

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal("primary", await gateway.BodyAsync("/healthy"));
            Assert.Equal("backup", await gateway.BodyAsync("/failover"));
        }
    }

    [Fact]
    public async Task Get_NodeGivenByDomainName_ResolvedAndHostIsTheDomainForPassHostNode()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/dns","upstream":{"type":"roundrobin","pass_host":"node","nodes":{"localhost:{{upstream.Port}}":1} } }
            """);

        var (status, body) = await gateway.SendAsync("/dns");

        Assert.True(status == 200, $"{status} {body}");
        Assert.Equal($"localhost:{upstream.Port}", (await upstream.NextAsync()).Header("Host"));
    }

    [Fact]
    public async Task Get_EwmaTwoNodes_BothServe()
    {
        await using var a = await ProxyKit.NamedAsync("a");
        await using var b = await ProxyKit.NamedAsync("b");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/e","upstream":{"type":"ewma","nodes":{"{{a.Address}}":1,"{{b.Address}}":1} } }
            """);

        for (var i = 0; i < 20; i++)
        {
            Assert.Contains(await gateway.BodyAsync("/e"), new[] { "a", "b" });
        }

        Assert.Equal(20, a.Count + b.Count);
    }

    [Fact]
    public async Task Get_FirstNodeRefuses_RetriedOnSecondNode()
    {
        await using var alive = await ProxyKit.NamedAsync("alive");
        var closedPort = FreePort.Next();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/retry","upstream":{"type":"roundrobin","retries":1,
              "nodes":{"127.0.0.1:{{closedPort}}":1,"{{alive.Address}}":1} } }
            """);

        // Round robin sends half of these to the refusing node first; each must be retried.
        for (var i = 0; i < 6; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/retry");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("alive", await response.Content.ReadAsStringAsync());

            // APISIX shows the attempts only when the last one failed ("502, 200" ends well).
            Assert.False(response.Headers.Contains("X-APISIX-Upstream-Status"));
        }

        Assert.Equal(6, alive.Count);
    }

    [Fact]
    public async Task Get_RetriedNodeAnswers5xx_UpstreamStatusListsEveryAttempt()
    {
        await using var failing = await RecordingServer.StartAsync();
        failing.Respond = http =>
        {
            http.Response.StatusCode = 503;
            return Task.CompletedTask;
        };
        var closedPort = FreePort.Next();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/retry","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{closedPort}}":1,"{{failing.Address}}":1} } }
            """);

        // A request starting on the refusing node is retried on the other (502, 503); one starting
        // on the 503 node is not retried (5xx answers are final). Round robin starts at least one
        // of every two on the refusing node.
        var seen = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/retry");
            Assert.Equal(503, (int)response.StatusCode);
            seen.Add(string.Join(",", response.Headers.GetValues("X-APISIX-Upstream-Status")));
        }

        Assert.All(seen, s => Assert.Contains(s, new[] { "502, 503", "503" }));
        Assert.Contains("502, 503", seen);
        Assert.Equal(4, failing.Count);
    }

    [Fact]
    public async Task Get_RetriesZero_RefusedNodeAnswers502()
    {
        await using var alive = await ProxyKit.NamedAsync("alive");
        var closedPort = FreePort.Next();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/retry","upstream":{"type":"roundrobin","retries":0,
              "nodes":{"127.0.0.1:{{closedPort}}":1,"{{alive.Address}}":1} } }
            """);

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await gateway.SendAsync("/retry")).Status);
        }

        Assert.Equal(2, statuses.Count(s => s == 502));
        Assert.Equal(2, statuses.Count(s => s == 200));
    }

    [Fact]
    public async Task Get_LeastConn_NewRequestsAvoidTheBusyNode()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var a = await HoldingAsync("a", release.Task);
        await using var b = await HoldingAsync("b", release.Task);
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/*","upstream":{"type":"least_conn","nodes":{"{{a.Address}}":1,"{{b.Address}}":1} } }
            """);

        var held = gateway.SendAsync("/hold");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (a.Count + b.Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the held request never reached a node");
            await Task.Delay(10);
        }

        var busy = a.Count == 1 ? "a" : "b";
        var idle = busy == "a" ? "b" : "a";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(idle, await gateway.BodyAsync("/quick"));
        }

        release.SetResult();
        Assert.Equal((200, busy), await held);
    }

    /// <summary>A node that holds <c>/hold</c> until released and answers everything else at once.</summary>
    private static async Task<RecordingServer> HoldingAsync(string name, Task release)
    {
        var server = await RecordingServer.StartAsync();
        server.Respond = async http =>
        {
            if (http.Request.Path == "/hold")
            {
                await release.WaitAsync(TimeSpan.FromSeconds(20));
            }

            await http.Response.WriteAsync(name);
        };
        return server;
    }
}

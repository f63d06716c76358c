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
            Assert.Equal("alive", await gateway.BodyAsync("/retry"));
        }

        Assert.Equal(6, alive.Count);
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

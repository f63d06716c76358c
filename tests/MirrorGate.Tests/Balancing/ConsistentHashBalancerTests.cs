using MirrorGate.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class ConsistentHashBalancerTests
{
    private const string ThreeNodes = """{"a:80": 1, "b:80": 1, "c:80": 2}""";

    private static ILoadBalancer Chash(string hashOn, string key, string nodes = ThreeNodes, HealthChecker? health = null) =>
        LoadBalancerFactory.Create(Upstream($$"""{"type": "chash", "hash_on": "{{hashOn}}", "key": "{{key}}", "nodes": {{nodes}}}"""), health);

    [Fact]
    public void Pick_SameArgKey_AlwaysSameNode()
    {
        var balancer = Chash("vars", "arg_user");

        var picks = Enumerable.Range(0, 50).Select(i => balancer.Pick(Request("?user=alice", remoteAddr: $"10.0.0.{i}"), null)!).Distinct();

        Assert.Single(picks);
    }

    [Fact]
    public void Pick_ManyKeys_SpreadRoughlyByWeight()
    {
        var balancer = Chash("vars", "arg_user");

        var counts = Count(balancer, 20000, CountingContext("?user=u"));

        // Weights 1:1:2 -> 25% / 25% / 50%, give or take the ring's unevenness.
        Assert.InRange(counts["a:80"], 4000, 6000);
        Assert.InRange(counts["b:80"], 4000, 6000);
        Assert.InRange(counts["c:80"], 8000, 12000);
    }

    [Fact]
    public void Pick_HeaderKey_StickyPerValueAndSpreadAcrossValues()
    {
        var balancer = Chash("header", "X-User");

        HttpContext WithUser(string user)
        {
            var context = Request();
            context.Request.Headers["x-user"] = user;
            return context;
        }

        Assert.Single(Enumerable.Range(0, 20).Select(_ => balancer.Pick(WithUser("bob"), null)).Distinct());
        Assert.Equal(3, Enumerable.Range(0, 300).Select(i => balancer.Pick(WithUser($"user{i}"), null)).Distinct().Count());
    }

    [Fact]
    public void Pick_CookieKey_StickyPerValue()
    {
        var balancer = Chash("cookie", "sid");
        var node = balancer.Pick(WithCookie("sid=abc; other=1"), null);

        for (var i = 0; i < 20; i++)
        {
            Assert.Same(node, balancer.Pick(WithCookie($"other={i}; sid=abc"), null));
        }

        static HttpContext WithCookie(string cookie)
        {
            var context = Request(remoteAddr: $"10.1.{Random.Shared.Next(255)}.{Random.Shared.Next(255)}");
            context.Request.Headers.Cookie = cookie;
            return context;
        }
    }

    [Fact]
    public void Pick_KeyMissing_FallsBackToRemoteAddr()
    {
        var byArg = Chash("vars", "arg_user");
        var byRemote = Chash("vars", "remote_addr");

        for (var i = 0; i < 50; i++)
        {
            var address = $"192.168.0.{i}";
            Assert.Equal(byRemote.Pick(Request(remoteAddr: address), null)!.Authority, byArg.Pick(Request(remoteAddr: address), null)!.Authority);
        }
    }

    [Fact]
    public void Pick_ConsumerHashOn_FallsBackToRemoteAddr()
    {
        var byConsumer = LoadBalancerFactory.Create(Upstream($$"""{"type": "chash", "hash_on": "consumer", "nodes": {{ThreeNodes}}}"""), null);
        var byRemote = Chash("vars", "remote_addr");

        for (var i = 0; i < 50; i++)
        {
            var address = $"172.16.0.{i}";
            Assert.Equal(byRemote.Pick(Request(remoteAddr: address), null)!.Authority, byConsumer.Pick(Request(remoteAddr: address), null)!.Authority);
        }
    }

    [Fact]
    public void Pick_VarsCombinations_KeyDependsOnEveryVariable()
    {
        var balancer = Chash("vars_combinations", "$remote_addr$uri");

        // Same address and path: sticky.
        Assert.Single(Enumerable.Range(0, 20).Select(_ => balancer.Pick(Request(remoteAddr: "10.9.9.9", path: "/x"), null)).Distinct());
        // Same address, different paths: spread, so the path is part of the key.
        Assert.True(Enumerable.Range(0, 100).Select(i => balancer.Pick(Request(remoteAddr: "10.9.9.9", path: $"/p{i}"), null)).Distinct().Count() > 1);
    }

    [Fact]
    public void ParseTemplate_BracesAndEscapes_SplitsLiteralsAndVariables()
    {
        var parts = ChashKey.ParseTemplate(@"${host}-$arg_id\$x");

        Assert.Equal(4, parts.Length);
        Assert.NotNull(parts[0].Variable);
        Assert.Equal("-", parts[1].Literal);
        Assert.NotNull(parts[2].Variable);
        Assert.Equal("$x", parts[3].Literal);
    }

    [Fact]
    public void Pick_NodeUnhealthy_OnlyItsKeysMove()
    {
        var upstream = Upstream($$"""
            {"type": "chash", "key": "arg_k", "nodes": {{ThreeNodes}},
             "checks": {"passive": {"unhealthy": {"http_statuses": [500], "http_failures": 1} } } }
            """);
        using var health = HealthChecker.Create(upstream, new ManualTimeProvider())!;
        var balancer = LoadBalancerFactory.Create(upstream, health);
        var before = Enumerable.Range(0, 500).Select(i => balancer.Pick(Request($"?k={i}"), null)!.Authority).ToArray();

        balancer.OnCompleted(Node(balancer, "a:80"), 500, TimeSpan.Zero);
        var after = Enumerable.Range(0, 500).Select(i => balancer.Pick(Request($"?k={i}"), null)!.Authority).ToArray();

        Assert.DoesNotContain("a:80", after);
        for (var i = 0; i < before.Length; i++)
        {
            if (before[i] != "a:80")
            {
                Assert.Equal(before[i], after[i]);
            }
        }
    }

    [Fact]
    public void Pick_NodeExcluded_MovesToAnotherNodeDeterministically()
    {
        var balancer = Chash("vars", "arg_k");
        var first = balancer.Pick(Request("?k=42"), null)!;

        var retry1 = balancer.Pick(Request("?k=42"), [first])!;
        var retry2 = balancer.Pick(Request("?k=42"), [first])!;

        Assert.NotSame(first, retry1);
        Assert.Same(retry1, retry2);
    }

    [Fact]
    public void Pick_WeightZeroNode_NeverPicked()
    {
        var balancer = Chash("vars", "arg_k", """{"a:80": 1, "b:80": 0}""");

        Assert.Equal(0, Count(balancer, 500, CountingContext("?k="))["b:80"]);
    }

    private static Func<HttpContext> CountingContext(string queryPrefix)
    {
        var i = 0;
        return () => Request(queryPrefix + i++);
    }
}

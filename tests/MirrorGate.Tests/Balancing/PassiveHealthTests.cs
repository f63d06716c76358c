using MirrorGate.Tests.TestSupport;
using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

/// <summary>
/// Passive checks. The configs carry only <c>checks.passive</c> (APISIX's schema also wants
/// <c>active</c>) so these tests stay off the network; the checker handles either part alone.
/// </summary>
public sealed class PassiveHealthTests
{
    private static (HealthChecker Health, UpstreamNode A, UpstreamNode B) Checker(string passive = "{}")
    {
        var health = HealthChecker.Create(Upstream($$"""{"nodes": {"a:80": 1, "b:80": 1}, "checks": {"passive": {{passive}} } }"""), new ManualTimeProvider())!;
        return (health, health.Nodes[0], health.Nodes[1]);
    }

    [Fact]
    public void Create_NoChecks_ReturnsNull() =>
        Assert.Null(HealthChecker.Create(Upstream("""{"nodes": {"a:80": 1}}""")));

    [Fact]
    public void ReportPassive_HttpFailuresReachDefaultThreshold_MarksUnhealthy()
    {
        var (health, a, b) = Checker();
        using var _ = health;

        for (var i = 0; i < 4; i++)
        {
            health.ReportPassive(a, 500);
        }

        Assert.True(health.IsHealthy(a));
        health.ReportPassive(a, 503);

        Assert.False(health.IsHealthy(a));
        Assert.True(health.IsHealthy(b));
        Assert.Equal(1, health.HealthyCount);
    }

    [Fact]
    public void ReportPassive_SuccessBetweenFailures_RestartsCount()
    {
        var (health, a, _) = Checker();
        using var __ = health;

        for (var i = 0; i < 4; i++)
        {
            health.ReportPassive(a, 500);
        }

        health.ReportPassive(a, 200);
        for (var i = 0; i < 4; i++)
        {
            health.ReportPassive(a, 500);
        }

        Assert.True(health.IsHealthy(a));
    }

    [Fact]
    public void ReportPassive_StatusInNeitherList_Ignored()
    {
        var (health, a, _) = Checker();
        using var __ = health;

        for (var i = 0; i < 20; i++)
        {
            health.ReportPassive(a, 404);
        }

        Assert.True(health.IsHealthy(a));
    }

    [Fact]
    public void ReportPassive_ConnectionFailuresAndTimeouts_CountedWithTheirOwnThresholds()
    {
        var (health, a, b) = Checker();
        using var __ = health;

        health.ReportPassive(a, 0);
        Assert.True(health.IsHealthy(a));
        health.ReportPassive(a, 0); // tcp_failures default 2
        Assert.False(health.IsHealthy(a));

        for (var i = 0; i < 6; i++)
        {
            health.ReportPassive(b, -1);
        }

        Assert.True(health.IsHealthy(b));
        health.ReportPassive(b, -1); // timeouts default 7
        Assert.False(health.IsHealthy(b));
    }

    [Fact]
    public void ReportPassive_SuccessesAfterUnhealthy_MarksHealthyAgain()
    {
        var (health, a, _) = Checker("""{"healthy": {"successes": 2}, "unhealthy": {"http_failures": 1}}""");
        using var __ = health;
        health.ReportPassive(a, 500);
        var version = health.Version;

        health.ReportPassive(a, 200);
        Assert.False(health.IsHealthy(a));
        health.ReportPassive(a, 204);

        Assert.True(health.IsHealthy(a));
        Assert.True(health.Version > version);
    }

    [Fact]
    public void ReportPassive_ThresholdZero_CounterDisabled()
    {
        var (health, a, _) = Checker("""{"unhealthy": {"http_failures": 0, "tcp_failures": 0}}""");
        using var __ = health;

        for (var i = 0; i < 20; i++)
        {
            health.ReportPassive(a, 500);
            health.ReportPassive(a, 0);
        }

        Assert.True(health.IsHealthy(a));
    }

    [Theory]
    [InlineData("roundrobin")]
    [InlineData("least_conn")]
    [InlineData("ewma")]
    [InlineData("chash")]
    public void Pick_NodeMarkedUnhealthyByPassiveChecks_BalancerSkipsIt(string type)
    {
        var upstream = Upstream($$"""
            {"type": "{{type}}", "key": "arg_k", "nodes": {"a:80": 1, "b:80": 1, "c:80": 1},
             "checks": {"passive": {"unhealthy": {"http_failures": 2} } } }
            """);
        using var health = HealthChecker.Create(upstream, new ManualTimeProvider())!;
        var balancer = LoadBalancerFactory.Create(upstream, health);
        var b = Node(balancer, "b:80");

        balancer.OnCompleted(b, 502, TimeSpan.FromMilliseconds(1)); // 502 is not in passive's default list
        balancer.OnCompleted(b, 500, TimeSpan.FromMilliseconds(1));
        Assert.True(health.IsHealthy(b));
        balancer.OnCompleted(b, 500, TimeSpan.FromMilliseconds(1));

        Assert.False(health.IsHealthy(b));
        var i = 0;
        Assert.Equal(0, Count(balancer, 300, () => Request($"?k={i++}"))["b:80"]);
    }

    [Fact]
    public void Pick_AllNodesUnhealthy_UsesAllNodes()
    {
        var upstream = Upstream("""
            {"nodes": {"a:80": 1, "b:80": 1}, "checks": {"passive": {"unhealthy": {"http_failures": 1}}}}
            """);
        using var health = HealthChecker.Create(upstream, new ManualTimeProvider())!;
        var balancer = LoadBalancerFactory.Create(upstream, health);
        balancer.OnCompleted(Node(balancer, "a:80"), 500, TimeSpan.Zero);
        Assert.Equal(0, Count(balancer, 10)["a:80"]);

        balancer.OnCompleted(Node(balancer, "b:80"), 500, TimeSpan.Zero);

        Assert.Equal(0, health.HealthyCount);
        var counts = Count(balancer, 10);
        Assert.Equal((5, 5), (counts["a:80"], counts["b:80"]));
    }

    [Fact]
    public void OnCompleted_NoPassiveSection_DoesNotCount()
    {
        // Active only, probing a port nothing listens on; the manual clock never advances, so at
        // most one probe runs, below tcp_failures' default of 2.
        var upstream = Upstream("""{"nodes": {"127.0.0.1:1": 1}, "checks": {"active": {"type": "tcp"}}}""");
        using var health = HealthChecker.Create(upstream, new ManualTimeProvider())!;

        for (var i = 0; i < 20; i++)
        {
            health.ReportPassive(health.Nodes[0], 500);
        }

        Assert.True(health.IsHealthy(health.Nodes[0]));
    }
}

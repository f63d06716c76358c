using MirrorGate.Tests.TestSupport;
using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class PriorityTests
{
    private const string TwoGroups = """
        {"type": "TYPE", "key": "remote_addr", "nodes": [
            {"host": "primary1", "port": 80, "weight": 1, "priority": 10},
            {"host": "primary2", "port": 80, "weight": 1, "priority": 10},
            {"host": "backup", "port": 80, "weight": 100, "priority": -1}
        ]}
        """;

    [Theory]
    [InlineData("roundrobin")]
    [InlineData("chash")]
    [InlineData("least_conn")]
    [InlineData("ewma")]
    public void Pick_HigherPriorityGroupAvailable_NeverUsesLowerGroup(string type)
    {
        var balancer = LoadBalancerFactory.Create(Upstream(TwoGroups.Replace("TYPE", type)), null);

        Assert.Equal(0, Count(balancer, 100)["backup:80"]);
    }

    [Theory]
    [InlineData("roundrobin")]
    [InlineData("chash")]
    [InlineData("least_conn")]
    [InlineData("ewma")]
    public void Pick_HigherGroupAllExcluded_FallsBackToLowerGroup(string type)
    {
        var balancer = LoadBalancerFactory.Create(Upstream(TwoGroups.Replace("TYPE", type)), null);
        var tried = new List<UpstreamNode>();

        var first = balancer.Pick(Request(), tried)!;
        tried.Add(first);
        var second = balancer.Pick(Request(), tried)!;
        tried.Add(second);
        var third = balancer.Pick(Request(), tried)!;
        tried.Add(third);

        Assert.Equal(10, first.Priority);
        Assert.Equal(10, second.Priority);
        Assert.NotSame(first, second);
        Assert.Equal("backup", third.Host);
        Assert.Null(balancer.Pick(Request(), tried));
    }

    [Fact]
    public void Pick_HigherGroupUnhealthy_FallsBackToLowerGroup()
    {
        var upstream = Upstream("""
            {"nodes": [
                {"host": "primary", "port": 80, "weight": 1, "priority": 1},
                {"host": "backup", "port": 80, "weight": 1, "priority": 0}
            ],
            "checks": {"passive": {"unhealthy": {"http_statuses": [502], "http_failures": 1}}}}
            """);
        // Passive only (APISIX's schema wants active too): keeps this test off the network.
        using var health = HealthChecker.Create(upstream, new ManualTimeProvider())!;
        var balancer = LoadBalancerFactory.Create(upstream, health);
        var primary = Node(balancer, "primary:80");

        Assert.Equal("primary", balancer.Pick(Request(), null)!.Host);
        balancer.OnCompleted(primary, 502, TimeSpan.FromMilliseconds(5));

        Assert.Equal("backup", balancer.Pick(Request(), null)!.Host);
    }
}

using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class LeastConnectionsBalancerTests
{
    [Fact]
    public void Pick_OneNodeBusy_PrefersIdleNode()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"type": "least_conn", "nodes": {"a:80": 1, "b:80": 1}}"""), null);
        balancer.OnStarted(Node(balancer, "a:80"));

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("b:80", balancer.Pick(Request(), null)!.Authority);
        }
    }

    [Fact]
    public void Pick_InFlightPerWeight_HeavierNodeTakesMore()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"type": "least_conn", "nodes": {"a:80": 2, "b:80": 1}}"""), null);
        balancer.OnStarted(Node(balancer, "a:80"));
        balancer.OnStarted(Node(balancer, "b:80"));

        // a: (1+1)/2 = 1, b: (1+1)/1 = 2.
        Assert.Equal("a:80", balancer.Pick(Request(), null)!.Authority);
    }

    [Fact]
    public void Pick_SimulatedLoad_FollowsInFlight()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"type": "least_conn", "nodes": {"a:80": 1, "b:80": 1, "c:80": 1}}"""), null);

        // Every pick starts a request that stays open: each node ends with exactly one third.
        var counts = balancer.Nodes.ToDictionary(n => n.Authority, _ => 0);
        for (var i = 0; i < 30; i++)
        {
            var node = balancer.Pick(Request(), null)!;
            balancer.OnStarted(node);
            counts[node.Authority]++;
        }

        Assert.All(counts.Values, c => Assert.Equal(10, c));
    }

    [Fact]
    public void Pick_AllIdle_TiesRotate()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"type": "least_conn", "nodes": {"a:80": 1, "b:80": 1, "c:80": 1}}"""), null);

        Assert.All(Count(balancer, 30).Values, c => Assert.Equal(10, c));
    }

    [Fact]
    public void OnCompleted_ReleasesNode_NodePreferredAgain()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"type": "least_conn", "nodes": {"a:80": 1, "b:80": 1}}"""), null);
        var a = Node(balancer, "a:80");
        var b = Node(balancer, "b:80");
        balancer.OnStarted(a);
        balancer.OnStarted(a);
        balancer.OnStarted(b);

        balancer.OnCompleted(a, 200, TimeSpan.FromMilliseconds(1));
        balancer.OnCompleted(a, 200, TimeSpan.FromMilliseconds(1));
        balancer.OnCompleted(a, 200, TimeSpan.FromMilliseconds(1)); // unmatched: must not go below zero

        Assert.Equal("a:80", balancer.Pick(Request(), null)!.Authority);
        balancer.OnStarted(a);

        // One in flight on each: a tie, so the picks alternate.
        Assert.All(Count(balancer, 2).Values, c => Assert.Equal(1, c));
    }
}

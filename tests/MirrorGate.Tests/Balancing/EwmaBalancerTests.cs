using MirrorGate.Tests.TestSupport;
using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class EwmaBalancerTests
{
    private static (ILoadBalancer Balancer, ManualTimeProvider Time) Ewma(string nodes = """{"fast:80": 1, "slow:80": 1}""")
    {
        var time = new ManualTimeProvider();
        var balancer = LoadBalancerFactory.Create(Upstream($$"""{"type": "ewma", "nodes": {{nodes}}}"""), null, time, new Random(42));
        return (balancer, time);
    }

    [Fact]
    public void Pick_OneNodeSlower_PrefersFasterNode()
    {
        var (balancer, time) = Ewma();
        balancer.OnCompleted(Node(balancer, "fast:80"), 200, TimeSpan.FromMilliseconds(10));
        balancer.OnCompleted(Node(balancer, "slow:80"), 200, TimeSpan.FromMilliseconds(500));
        time.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal(100, Count(balancer, 100)["fast:80"]);
    }

    [Fact]
    public void Pick_ManyNodes_SlowNodeRarelyPicked()
    {
        var (balancer, time) = Ewma("""{"a:80": 1, "b:80": 1, "c:80": 1, "slow:80": 1}""");
        foreach (var node in balancer.Nodes)
        {
            balancer.OnCompleted(node, 200, TimeSpan.FromMilliseconds(node.Host == "slow" ? 900 : 10));
        }

        time.Advance(TimeSpan.FromMilliseconds(50));

        // Two random choices: the slowest node loses every draw it is part of.
        Assert.Equal(0, Count(balancer, 400)["slow:80"]);
    }

    [Fact]
    public void Pick_SlowSampleLongAgo_DecaysAndNodeIsTriedAgain()
    {
        var (balancer, time) = Ewma();
        balancer.OnCompleted(Node(balancer, "slow:80"), 200, TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(100));
        balancer.OnCompleted(Node(balancer, "fast:80"), 200, TimeSpan.FromMilliseconds(10));

        // 1 s x e^(-100/10) ~ 0.05 ms, below the fresh 10 ms.
        Assert.Equal("slow:80", balancer.Pick(Request(), null)!.Authority);
    }

    [Fact]
    public void Pick_EqualLatency_InFlightBreaksTheTie()
    {
        var (balancer, _) = Ewma();
        balancer.OnCompleted(Node(balancer, "fast:80"), 200, TimeSpan.FromMilliseconds(10));
        balancer.OnCompleted(Node(balancer, "slow:80"), 200, TimeSpan.FromMilliseconds(10));
        balancer.OnStarted(Node(balancer, "fast:80"));
        balancer.OnStarted(Node(balancer, "fast:80"));

        Assert.Equal(50, Count(balancer, 50)["slow:80"]);
    }

    [Fact]
    public void Pick_OneCandidateLeft_ReturnsIt()
    {
        var (balancer, _) = Ewma();

        Assert.Equal("slow:80", balancer.Pick(Request(), [Node(balancer, "fast:80")])!.Authority);
        Assert.Null(balancer.Pick(Request(), balancer.Nodes.ToArray()));
    }
}

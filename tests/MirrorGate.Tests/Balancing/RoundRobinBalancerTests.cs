using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class RoundRobinBalancerTests
{
    [Fact]
    public void Pick_Weights3To1_ExactInEveryCycle()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 3, "b:80": 1}}"""), null);

        for (var cycle = 0; cycle < 5; cycle++)
        {
            var counts = Count(balancer, 4);
            Assert.Equal(3, counts["a:80"]);
            Assert.Equal(1, counts["b:80"]);
        }
    }

    [Fact]
    public void Pick_SmoothWeights_InterleavesLikeNginx()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 5, "b:80": 1, "c:80": 1}}"""), null);

        var sequence = Enumerable.Range(0, 7).Select(_ => balancer.Pick(Request(), null)!.Host);

        // nginx's smooth weighted round robin spreads the heavy node instead of bursting it.
        Assert.Equal(["a", "a", "b", "a", "c", "a", "a"], sequence);
    }

    [Fact]
    public void Pick_WeightsWithCommonDivisor_ExactOverReducedCycle()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 200, "b:80": 100, "c:80": 100}}"""), null);

        var counts = Count(balancer, 4);

        Assert.Equal((2, 1, 1), (counts["a:80"], counts["b:80"], counts["c:80"]));
    }

    [Fact]
    public void Pick_WeightZero_NeverPicked()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 1, "drained:80": 0}}"""), null);

        Assert.Equal(0, Count(balancer, 50)["drained:80"]);
    }

    [Fact]
    public void Pick_AllWeightsZero_ReturnsNull()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 0}}"""), null);

        Assert.Null(balancer.Pick(Request(), null));
    }

    [Fact]
    public void Pick_NoNodes_ReturnsNull()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {}}"""), null);

        Assert.Null(balancer.Pick(Request(), null));
    }

    [Fact]
    public void Pick_TriedNodeExcluded_PicksAnother()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 10, "b:80": 1}}"""), null);
        var a = Node(balancer, "a:80");

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("b:80", balancer.Pick(Request(), [a])!.Authority);
        }
    }

    [Fact]
    public void Pick_AllExcluded_ReturnsNull()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 1, "b:80": 1}}"""), null);

        Assert.Null(balancer.Pick(Request(), balancer.Nodes.ToArray()));
    }

    [Fact]
    public void Pick_CycleTooLongToUnroll_StillExact()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 70000, "b:80": 1}}"""), null);

        var counts = Count(balancer, 70001);

        Assert.Equal((70000, 1), (counts["a:80"], counts["b:80"]));
    }

    [Fact]
    public async Task Pick_Concurrent_TotalsExactOverWholeCycles()
    {
        var balancer = LoadBalancerFactory.Create(Upstream("""{"nodes": {"a:80": 3, "b:80": 1}}"""), null);
        var picks = new System.Collections.Concurrent.ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                picks.Add(balancer.Pick(Request(), null)!.Authority);
            }
        })));

        Assert.Equal(6000, picks.Count(p => p == "a:80"));
        Assert.Equal(2000, picks.Count(p => p == "b:80"));
    }
}

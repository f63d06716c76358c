using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class LoadBalancerFactoryTests
{
    [Theory]
    [InlineData(null, typeof(RoundRobinBalancer))]
    [InlineData("roundrobin", typeof(RoundRobinBalancer))]
    [InlineData("chash", typeof(ConsistentHashBalancer))]
    [InlineData("least_conn", typeof(LeastConnectionsBalancer))]
    [InlineData("ewma", typeof(EwmaBalancer))]
    public void Create_KnownType_BuildsThatBalancer(string? type, Type expected)
    {
        var upstream = Upstream("""{"nodes": {"a:80": 1}, "key": "remote_addr"}""");
        if (type is not null)
        {
            upstream["type"] = type;
        }

        Assert.IsType(expected, LoadBalancerFactory.Create(upstream, null));
    }

    [Fact]
    public void Create_UnknownType_ThrowsNamingTheType()
    {
        var error = Assert.Throws<NotSupportedException>(() =>
            LoadBalancerFactory.Create(Upstream("""{"type": "my_custom", "nodes": {"a:80": 1}}"""), null));

        Assert.Contains("my_custom", error.Message);
    }
}

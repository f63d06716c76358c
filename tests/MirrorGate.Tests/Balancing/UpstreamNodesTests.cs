using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class UpstreamNodesTests
{
    [Fact]
    public void Parse_Map_ReadsHostPortAndWeight()
    {
        var nodes = UpstreamNodes.Parse(Upstream("""{"nodes": {"127.0.0.1:1980": 3, "example.com:8080": 0}}"""));

        Assert.Collection(
            nodes,
            n => Assert.Equal(("127.0.0.1", 1980, 3, 0, true), (n.Host, n.Port, n.Weight, n.Priority, n.PortWasExplicit)),
            n => Assert.Equal(("example.com", 8080, 0, 0, true), (n.Host, n.Port, n.Weight, n.Priority, n.PortWasExplicit)));
    }

    [Theory]
    [InlineData(null, 80)]
    [InlineData("http", 80)]
    [InlineData("grpc", 80)]
    [InlineData("https", 443)]
    [InlineData("grpcs", 443)]
    public void Parse_MapWithoutPort_UsesSchemeDefault(string? scheme, int port)
    {
        var schemePart = scheme is null ? "" : $"\"scheme\": \"{scheme}\", ";
        var node = Assert.Single(UpstreamNodes.Parse(Upstream("{" + schemePart + "\"nodes\": {\"backend.local\": 1}}")));

        Assert.Equal(port, node.Port);
        Assert.False(node.PortWasExplicit);
        Assert.Equal("backend.local", node.HostHeaderForPassNode);
    }

    [Fact]
    public void Parse_MapIPv6_StripsBracketsAndKeepsPort()
    {
        var nodes = UpstreamNodes.Parse(Upstream("""{"scheme": "https", "nodes": {"[::1]:8443": 1, "[fe80::1]": 2}}"""));

        Assert.Equal(("::1", 8443, "[::1]:8443"), (nodes[0].Host, nodes[0].Port, nodes[0].Authority));
        Assert.Equal(("fe80::1", 443, false), (nodes[1].Host, nodes[1].Port, nodes[1].PortWasExplicit));
    }

    [Fact]
    public void Parse_Array_ReadsPriorityAndDefaults()
    {
        var nodes = UpstreamNodes.Parse(Upstream("""
            {"scheme": "https", "nodes": [
                {"host": "10.0.0.1", "port": 8080, "weight": 5, "priority": 2},
                {"host": "10.0.0.2", "weight": 1},
                {"host": "[::2]", "port": 81, "weight": 1, "metadata": {"zone": "a"}}
            ]}
            """));

        Assert.Equal(("10.0.0.1", 8080, 5, 2), (nodes[0].Host, nodes[0].Port, nodes[0].Weight, nodes[0].Priority));
        Assert.Equal(("10.0.0.2", 443, 0, false), (nodes[1].Host, nodes[1].Port, nodes[1].Priority, nodes[1].PortWasExplicit));
        Assert.Equal(("::2", "[::2]:81"), (nodes[2].Host, nodes[2].Authority));
    }

    [Theory]
    [InlineData("127.0.0.1:080", 80)]
    [InlineData("127.0.0.1:0x50", 80)]
    [InlineData("127.0.0.1:+80", 80)]
    [InlineData("127.0.0.1: 80 ", 80)]
    public void Parse_MapPortAsLuaReadsIt_SameAsValidation(string address, int port)
    {
        var node = Assert.Single(UpstreamNodes.Parse(Upstream("{\"nodes\": {\"" + address + "\": 1.0}}")));

        Assert.Equal(("127.0.0.1", port, 1), (node.Host, node.Port, node.Weight));
    }

    [Fact]
    public void Parse_ArrayIntegersWrittenAsFloats_Read()
    {
        var node = Assert.Single(UpstreamNodes.Parse(Upstream("""{"nodes": [{"host": "a", "port": 8080.0, "weight": 1e1, "priority": -1.0}]}""")));

        Assert.Equal((8080, 10, -1), (node.Port, node.Weight, node.Priority));
    }

    [Fact]
    public void Parse_EmptyNodes_ReturnsEmpty()
    {
        Assert.Empty(UpstreamNodes.Parse(Upstream("""{"nodes": {}}""")));
        Assert.Empty(UpstreamNodes.Parse(Upstream("""{"nodes": []}""")));
    }
}

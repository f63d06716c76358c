using System.Net;
using MirrorGate.Mirroring;
using MirrorGate.Plugins.ProxyMirror;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

/// <summary>Which mirror hosts reach the node's own Admin API and metrics listeners.</summary>
public sealed class ReservedListenersTests
{
    private static ReservedListeners Listeners(string adminIp, int adminPort = 9180)
        => new(
            [new ReservedListener("Admin API", "deployment.admin.admin_listen", IPAddress.Parse(adminIp), adminPort),
             new ReservedListener("metrics", "plugin_attr.prometheus.export_addr", IPAddress.Loopback, 9091)],
            "gateway-7",
            new HashSet<IPAddress> { IPAddress.Parse("10.1.2.3"), IPAddress.Loopback, IPAddress.IPv6Loopback });

    private static MirrorOrigin Origin(string host)
    {
        Assert.True(MirrorOrigin.TryParse(host, out var origin, out var error), error);
        return origin!;
    }

    [Theory]
    [InlineData("http://127.0.0.1:9180")]
    [InlineData("https://127.0.0.1:9180")]
    [InlineData("http://localhost:9180")]
    [InlineData("http://LocalHost:9180")]
    [InlineData("http://admin.localhost:9180")]
    [InlineData("http://0.0.0.0:9180")]
    [InlineData("http://[::]:9180")]
    [InlineData("http://[::ffff:7f00:1]:9180")]
    [InlineData("http://gateway-7:9180")]
    public void Reached_AdminOnLoopback_LoopbackSpellingsReachIt(string host)
        => Assert.Equal("Admin API", Listeners("127.0.0.1").Reached(Origin(host))?.Name);

    [Theory]
    [InlineData("http://127.0.0.1:9181")]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.2:9180")]
    [InlineData("http://[::1]:9180")]
    [InlineData("http://10.1.2.3:9180")]
    [InlineData("http://mirror.internal:9180")]
    public void Reached_AdminOnLoopback_OtherHostsOrPortsDoNot(string host)
        => Assert.Null(Listeners("127.0.0.1").Reached(Origin(host)));

    [Theory]
    [InlineData("http://127.0.0.1:9180")]
    [InlineData("http://127.0.0.2:9180")]
    [InlineData("http://[::1]:9180")]
    [InlineData("http://[::]:9180")]
    [InlineData("http://0.0.0.0:9180")]
    [InlineData("http://localhost:9180")]
    [InlineData("http://10.1.2.3:9180")]
    [InlineData("http://gateway-7:9180")]
    public void Reached_AdminOnAllAddresses_EveryLocalSpellingReachesIt(string host)
    {
        Assert.Equal("Admin API", Listeners("0.0.0.0").Reached(Origin(host))?.Name);
        Assert.Equal("Admin API", Listeners("::").Reached(Origin(host))?.Name);
    }

    [Theory]
    [InlineData("http://10.9.9.9:9180")]
    [InlineData("http://mirror.internal:9180")]
    public void Reached_AdminOnAllAddresses_OtherMachinesDoNot(string host)
        => Assert.Null(Listeners("0.0.0.0").Reached(Origin(host)));

    [Fact]
    public void Reached_AdminOnOneAddress_ThatAddressAndMachineNameReachIt()
    {
        var listeners = Listeners("10.1.2.3");

        Assert.NotNull(listeners.Reached(Origin("http://10.1.2.3:9180")));
        Assert.NotNull(listeners.Reached(Origin("http://gateway-7:9180")));
        Assert.Null(listeners.Reached(Origin("http://127.0.0.1:9180")));
        Assert.Null(listeners.Reached(Origin("http://localhost:9180")));
    }

    [Fact]
    public void Reached_MetricsPort_MetricsListener()
        => Assert.Equal("metrics", Listeners("127.0.0.1").Reached(Origin("http://localhost:9091"))?.Name);
}

using System.Net;
using MirrorGate.Admin;

namespace MirrorGate.Tests.Admin;

public sealed class AdminAuthenticatorTests
{
    private static AdminAuthenticator With(IReadOnlyList<IPNetwork>? allowAdmin) => new([], allowAdmin, keyRequired: true);

    [Fact]
    public void IsAllowedClient_EmptyAllowList_AllowsNobody()
    {
        var authenticator = With([]);

        Assert.False(authenticator.IsAllowedClient(IPAddress.Loopback));
        Assert.False(authenticator.IsAllowedClient(IPAddress.IPv6Loopback));
        Assert.False(authenticator.IsAllowedClient(null));
    }

    [Fact]
    public void IsAllowedClient_NullAllowList_AllowsEveryAddress()
    {
        var authenticator = With(null);

        Assert.True(authenticator.IsAllowedClient(IPAddress.Parse("203.0.113.7")));
        Assert.True(authenticator.IsAllowedClient(IPAddress.Loopback));
    }

    [Fact]
    public void IsAllowedClient_List_AllowsOnlyItsNetworks()
    {
        var authenticator = With([IPNetwork.Parse("127.0.0.0/24")]);

        Assert.True(authenticator.IsAllowedClient(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.False(authenticator.IsAllowedClient(IPAddress.Parse("10.0.0.1")));
    }
}

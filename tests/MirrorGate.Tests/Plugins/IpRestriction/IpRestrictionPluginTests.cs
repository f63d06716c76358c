using System.Text.Json.Nodes;
using MirrorGate.Plugins.IpRestriction;

namespace MirrorGate.Tests.Plugins.IpRestriction;

public sealed class IpRestrictionPluginTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.0/8")]
    [InlineData("::1")]
    [InlineData("fe80::/10")]
    [InlineData("192.168.1.5/24")]
    public void CheckConfig_ValidEntry_Null(string entry)
        => Assert.Null(new IpRestrictionPlugin().CheckConfig(new JsonObject { ["whitelist"] = new JsonArray(entry) }));

    [Theory]
    [InlineData(":/8")]
    [InlineData("::1/129")]
    public void CheckConfig_InvalidEntry_ApisixMessage(string entry)
        => Assert.Equal("invalid ip address: " + entry, new IpRestrictionPlugin().CheckConfig(new JsonObject { ["blacklist"] = new JsonArray(entry) }));
}

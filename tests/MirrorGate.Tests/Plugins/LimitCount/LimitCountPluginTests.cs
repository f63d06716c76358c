using System.Text.Json.Nodes;
using MirrorGate.Plugins.LimitCount;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Plugins.LimitCount;

public sealed class LimitCountPluginTests
{
    private static JsonObject Config(string json) => JsonNode.Parse(json)!.AsObject();

    [Theory]
    [InlineData("""{"count":1,"time_window":60,"policy":"redis","redis_host":"127.0.0.1"}""", "policy \"redis\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client")]
    [InlineData("""{"count":1,"time_window":60,"policy":"redis-cluster"}""", "policy \"redis-cluster\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client")]
    [InlineData("""{"rules":[{"count":1,"time_window":60,"key":"$remote_addr"}],"group":"g"}""", "group and rules cannot be specified at the same time")]
    [InlineData("""{"rules":[{"count":1,"time_window":60,"key":"$remote_addr"}]}""", "\"rules\" is not supported yet: use count and time_window")]
    [InlineData("""{"count":1,"time_window":60,"window_type":"sliding"}""", "window_type \"sliding\" is not supported yet: use \"fixed\"")]
    [InlineData("""{"count":"$http_count","time_window":60}""", "count and time_window as variables are not supported yet: use integers")]
    public void CheckConfig_Unsupported_RefusedWithReason(string json, string expected)
        => Assert.Equal(expected, new LimitCountPlugin().CheckConfig(Config(json)));

    [Fact]
    public void CheckConfig_LocalFixedWindow_Accepted()
        => Assert.Null(new LimitCountPlugin().CheckConfig(Config("""{"count":1,"time_window":60,"policy":"local","window_type":"fixed"}""")));

    [Fact]
    public void CheckConfig_GroupWithOtherConfig_Mismatched_DefaultsWrittenOutEqual()
    {
        var plugin = new LimitCountPlugin(new ManualTimeProvider());

        Assert.Null(plugin.CheckConfig(Config("""{"count":1,"time_window":60,"group":"g"}""")));
        Assert.Null(plugin.CheckConfig(Config("""{"count":1,"time_window":60,"group":"g","rejected_code":503,"key":"remote_addr"}""")));
        Assert.Equal("group conf mismatched", plugin.CheckConfig(Config("""{"count":2,"time_window":60,"group":"g"}""")));
        Assert.Null(plugin.CheckConfig(Config("""{"count":2,"time_window":60,"group":"other"}""")));
    }

    [Fact]
    public void CheckConfig_GroupRememberedOneHour_ThenNewConfigTaken()
    {
        var time = new ManualTimeProvider();
        var plugin = new LimitCountPlugin(time);
        plugin.CheckConfig(Config("""{"count":1,"time_window":60,"group":"g"}"""));

        time.Advance(TimeSpan.FromMinutes(61));

        Assert.Null(plugin.CheckConfig(Config("""{"count":2,"time_window":60,"group":"g"}""")));
    }
}

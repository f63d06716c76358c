using System.Text.Json.Nodes;
using MirrorGate.Snapshot;

namespace MirrorGate.Tests.Snapshot;

public sealed class GlobalRulePluginsTests
{
    private static (string, JsonObject) Rule(string id, string plugins) => (id, JsonNode.Parse($$"""{"id":"{{id}}","plugins":{{plugins}} }""")!.AsObject());

    [Fact]
    public void Merge_DistinctPlugins_AllKept()
    {
        var dropped = new List<string>();

        var merged = GlobalRulePlugins.Merge([Rule("1", """{"request-id":{}}"""), Rule("2", """{"ip-restriction":{"whitelist":["127.0.0.1"]}}""")], dropped.Add);

        Assert.Equal(["request-id", "ip-restriction"], merged.Select(p => p.Key));
        Assert.Empty(dropped);
    }

    [Fact]
    public void Merge_PluginInTwoOrThreeRules_DroppedOnceFromTheChain()
    {
        var dropped = new List<string>();

        var merged = GlobalRulePlugins.Merge(
            [
                Rule("1", """{"limit-count":{"count":2,"time_window":10},"request-id":{}}"""),
                Rule("2", """{"limit-count":{"count":3,"time_window":60}}"""),
                Rule("3", """{"limit-count":{"count":5,"time_window":20}}"""),
            ],
            dropped.Add);

        Assert.Equal(["request-id"], merged.Select(p => p.Key));
        Assert.Equal(["limit-count"], dropped);
    }

    [Fact]
    public void Merge_ConfigIsACopy_RulesUntouched()
    {
        var rule = Rule("1", """{"request-id":{"header_name":"X-A"}}""");

        var merged = GlobalRulePlugins.Merge([rule], _ => { });
        merged["request-id"]!["header_name"] = "X-B";

        Assert.Equal("X-A", rule.Item2["plugins"]!["request-id"]!["header_name"]!.GetValue<string>());
    }
}

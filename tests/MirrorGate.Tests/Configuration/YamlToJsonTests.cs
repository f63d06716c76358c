using System.Text.Json;
using System.Text.Json.Nodes;
using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

public sealed class YamlToJsonTests
{
    private static JsonNode? Value(string yamlScalar) => YamlToJson.ParseDocument($"v: {yamlScalar}", "t.yaml")["v"];

    [Theory]
    [InlineData("9080", "9080")]
    [InlineData("-3", "-3")]
    [InlineData("+3", "3")]
    [InlineData("0x1F", "31")]
    [InlineData("0o17", "15")]
    [InlineData("1.5", "1.5")]
    [InlineData("1e3", "1000")]
    [InlineData("true", "true")]
    [InlineData("False", "false")]
    [InlineData("60s", "\"60s\"")]
    [InlineData("10m", "\"10m\"")]
    [InlineData("y", "\"y\"")]
    [InlineData("'yes'", "\"yes\"")]
    [InlineData("\"off\"", "\"off\"")]
    [InlineData("127.0.0.1", "\"127.0.0.1\"")]
    [InlineData("\"9080\"", "\"9080\"")]
    [InlineData("'true'", "\"true\"")]
    [InlineData("!!str 42", "\"42\"")]
    [InlineData(".inf", "\"\\u002Binf\"")]
    public void ParseDocument_PlainAndQuotedScalars_TypedAsYamlImplies(string yaml, string expectedJson)
    {
        var node = Value(yaml);
        var expected = JsonNode.Parse(expectedJson);
        if (yaml == ".inf")
        {
            Assert.Equal(".inf", node!.GetValue<string>());
            return;
        }

        Assert.True(JsonNode.DeepEquals(expected, node), $"{yaml} -> {node?.ToJsonString()}");
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("Yes", true)]
    [InlineData("YES", true)]
    [InlineData("on", true)]
    [InlineData("On", true)]
    [InlineData("ON", true)]
    [InlineData("TRUE", true)]
    [InlineData("no", false)]
    [InlineData("No", false)]
    [InlineData("NO", false)]
    [InlineData("off", false)]
    [InlineData("Off", false)]
    [InlineData("OFF", false)]
    [InlineData("False", false)]
    public void ParseDocument_Yaml11Booleans_ReadAsLyamlReadsThem(string yaml, bool expected) =>
        Assert.Equal(expected, Value(yaml)!.GetValue<bool>());

    [Theory]
    [InlineData("oN")]
    [InlineData("yES")]
    [InlineData("n")]
    [InlineData("Y")]
    public void ParseDocument_OtherSpellings_StayStrings(string yaml) =>
        Assert.Equal(yaml, Value(yaml)!.GetValue<string>());

    [Theory]
    [InlineData("~")]
    [InlineData("null")]
    [InlineData("NULL")]
    [InlineData("")]
    public void ParseDocument_NullForms_AreJsonNull(string yaml)
    {
        var root = YamlToJson.ParseDocument($"v: {yaml}", "t.yaml");

        Assert.True(root.ContainsKey("v"));
        Assert.Null(root["v"]);
    }

    [Fact]
    public void ParseDocument_NestedTree_ConvertsMappingsAndLists()
    {
        var root = YamlToJson.ParseDocument("""
            proxy-mirror:
              timeout: {connect: 2000ms, read: 2s}
              list: [1, "two", {three: 3.0}, null]
            block: |
              line
            """, "t.yaml");

        Assert.Equal(
            """{"proxy-mirror":{"timeout":{"connect":"2000ms","read":"2s"},"list":[1,"two",{"three":3},null]},"block":"line"}""",
            root.ToJsonString());
        Assert.Equal(JsonValueKind.Number, root["proxy-mirror"]!["list"]![0]!.GetValueKind());
    }

    [Fact]
    public void ParseDocument_Anchors_AreExpanded()
    {
        var root = YamlToJson.ParseDocument("a: &t {connect: 1s}\nb: *t\n", "t.yaml");

        Assert.Equal("1s", (string?)root["b"]!["connect"]);
    }

    [Fact]
    public void ParseDocument_Empty_IsEmptyObject()
    {
        Assert.Empty(YamlToJson.ParseDocument("", "t.yaml"));
        Assert.Empty(YamlToJson.ParseDocument("# only a comment\n", "t.yaml"));
    }

    [Fact]
    public void ParseDocument_TopLevelList_ThrowsConfigException()
    {
        var ex = Assert.Throws<ConfigException>(() => YamlToJson.ParseDocument("- a\n- b\n", "t.yaml"));

        Assert.Contains("top level must be a mapping", ex.Message);
    }

    [Fact]
    public void ParseDocument_BrokenYaml_ThrowsWithLine()
    {
        var ex = Assert.Throws<ConfigException>(() => YamlToJson.ParseDocument("a: 1\nb: c: d\n", "conf.yaml"));

        Assert.StartsWith("conf.yaml: invalid YAML at line 2", ex.Message);
    }

    [Fact]
    public void ParseDocument_UnclosedList_ThrowsConfigException()
    {
        var ex = Assert.Throws<ConfigException>(() => YamlToJson.ParseDocument("a:\n  b: [1, 2\nc: 3\n", "conf.yaml"));

        Assert.StartsWith("conf.yaml: invalid YAML", ex.Message);
    }

    [Theory]
    [InlineData("apisix:\n\tnode_listen: [19080]\n", "line 2, column 1: a tab used as indentation")]
    [InlineData("apisix:\n  node_listen:\n  \t- 19080\n", "line 3, column 3: a tab used as indentation")]
    [InlineData("apisix:\n  node_listen: [19080\n  enable_admin: true\n", "line 2, column 16: '[' is never closed")]
    [InlineData("apisix:\n  node_listen: [19080\n", "line 2, column 16: '[' is never closed")]
    [InlineData("apisix: {node_listen: 9080\ndeployment: {}\n", "line 1, column 9: '{' is never closed")]
    [InlineData("apisix:\n  id: \"abc\n  enable_admin: true\n", "line 2, column 7:")]
    [InlineData("apisix:\n  id: 'abc\n", "line 2, column 7:")]
    [InlineData("apisix:\n  id: a\n  id: b\n", "line 3, column 3: Duplicate key id")]
    [InlineData("a: 1\n  b: 2\n", "line 2, column 4:")]
    public void ParseDocument_InvalidYaml_NamesTheLineAndColumnOfTheMistake(string yaml, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => YamlToJson.ParseDocument(yaml, "config.yaml"));

        Assert.Contains($"config.yaml: invalid YAML at {expected}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a: [1, 2]\nb: x[1]\nc: \"[\"\nd: '{' # [\n")]
    [InlineData("a: {b: [1, {c: 2}]}\n")]
    public void UnclosedFlow_BalancedOrNotFlow_None(string yaml)
    {
        Assert.Null(YamlToJson.UnclosedFlow(yaml));
    }
}

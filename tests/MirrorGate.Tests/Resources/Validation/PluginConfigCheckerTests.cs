using System.Text.Json.Nodes;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class PluginConfigCheckerTests
{
    private static JsonObject? Known(string name) => name == "proxy-mirror" ? ResourceSchemas.Plugin("proxy-mirror") : null;

    private static string? Check(string plugins, Func<JsonArray, string?>? checkVars = null) =>
        PluginConfigChecker.Check(JsonNode.Parse(plugins), Known, checkVars);

    [Fact]
    public void Check_UnknownPlugin_ReportsName() =>
        Assert.Equal("unknown plugin [no-such]", Check("""{"no-such":{}}"""));

    [Fact]
    public void Check_ApisixPluginNotBuiltHere_SaysSoAndPointsToMigrationPage() =>
        Assert.Equal(
            "unknown plugin [basic-auth]: basic-auth is an APISIX plugin that is not available in MirrorGate; see docs/from-apisix.md for the plugins it has",
            Check("""{"basic-auth":{}}"""));

    [Theory]
    [InlineData("\"x\"", "\"x\"")]
    [InlineData("1", "1")]
    [InlineData("0.5", "0.5")]
    [InlineData("true", "true")]
    [InlineData("null", "null")]
    [InlineData("\"a/b\\\"c\"", "\"a/b\\\"c\"")]
    public void Check_ConfigNotObject_ReportsCjsonEncodedValue(string value, string printed) =>
        Assert.Equal($"invalid plugin conf {printed} for plugin [proxy-mirror]", Check($$"""{"proxy-mirror":{{value}}}"""));

    [Fact]
    public void Check_NotObjectBeatsUnknown_LikeApisix() =>
        Assert.Equal("invalid plugin conf \"x\" for plugin [no-such]", Check("""{"no-such":"x"}"""));

    [Fact]
    public void Check_DisabledPluginWithBadConfig_IsAccepted() =>
        Assert.Null(Check("""{"proxy-mirror":{"host":"ftp://x","_meta":{"disable":true}}}"""));

    [Fact]
    public void Check_DisableFalseWithBadConfig_IsRejected() =>
        Assert.StartsWith(
            "failed to check the configuration of plugin proxy-mirror err: property \"host\" validation failed",
            Check("""{"proxy-mirror":{"host":"ftp://x","_meta":{"disable":false}}}"""));

    [Fact]
    public void Check_MetaFilter_GoesThroughVarsHook() =>
        Assert.Equal(
            "failed to validate the 'vars' expression: invalid operator '='",
            Check("""{"proxy-mirror":{"host":"http://a","_meta":{"filter":[["arg_a","=","1"]]}}}""", _ => "failed to validate the 'vars' expression: invalid operator '='"));

    [Fact]
    public void Check_PluginOwnCheckFails_ReportedWithApisixPrefix() =>
        Assert.Equal(
            "failed to check the configuration of plugin proxy-mirror err: not servable",
            PluginConfigChecker.Check(JsonNode.Parse("""{"proxy-mirror":{"host":"http://a"}}"""), Known, checkConfig: (_, _) => "not servable"));

    [Fact]
    public void Check_SchemaFails_PluginOwnCheckNotAsked() =>
        Assert.StartsWith(
            "failed to check the configuration of plugin proxy-mirror err: property \"host\"",
            PluginConfigChecker.Check(JsonNode.Parse("""{"proxy-mirror":{"host":"ftp://a"}}"""), Known, checkConfig: (_, _) => throw new InvalidOperationException("asked")));

    [Fact]
    public void Check_DisabledPlugin_PluginOwnCheckNotAsked() =>
        Assert.Null(PluginConfigChecker.Check(
            JsonNode.Parse("""{"proxy-mirror":{"host":"http://a","_meta":{"disable":true}}}"""), Known, checkConfig: (_, _) => "not servable"));

    [Fact]
    public void Check_EmptyPlugins_IsValid() => Assert.Null(Check("{}"));
}

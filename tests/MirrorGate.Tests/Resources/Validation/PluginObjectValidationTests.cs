using System.Text.Json.Nodes;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

/// <summary>Plugin configs, global rules and a route's <c>plugin_config_id</c>, with APISIX's texts (t/admin/plugin-configs.t, global-rules*.t).</summary>
public sealed class PluginObjectValidationTests
{
    private static readonly ValidationHooks Hooks = new(
        exists: (kind, id) => (kind, id) is (ResourceKind.PluginConfig, "1"),
        checkVars: _ => null,
        pluginSchema: name => name is "limit-count" or "proxy-rewrite" or "request-id" ? ResourceSchemas.Plugin(name) : null);

    private static string? Validate(ResourceKind kind, string json) => ResourceValidator.Validate(kind, JsonNode.Parse(json)!.AsObject(), Hooks);

    [Theory]
    [InlineData(ResourceKind.PluginConfig)]
    [InlineData(ResourceKind.GlobalRule)]
    public void Validate_PluginsOnly_Valid(ResourceKind kind) =>
        Assert.Null(Validate(kind, """{"id":"1","plugins":{"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}},"create_time":1,"update_time":2}"""));

    [Theory]
    [InlineData(ResourceKind.PluginConfig)]
    [InlineData(ResourceKind.GlobalRule)]
    public void Validate_MissingPlugins_Required(ResourceKind kind) =>
        Assert.Equal("invalid configuration: property \"plugins\" is required", Validate(kind, """{"id":"1"}"""));

    [Fact]
    public void Validate_PluginConfigWithNameDescLabels_Valid() =>
        Assert.Null(Validate(ResourceKind.PluginConfig, """{"id":"1","name":"n","desc":"blah","labels":{"你好":"世界"},"plugins":{}}"""));

    [Fact]
    public void Validate_PluginConfigLabelsNotObject_ApisixText() =>
        Assert.Equal(
            "invalid configuration: property \"labels\" validation failed: wrong type: expected object, got string",
            Validate(ResourceKind.PluginConfig, """{"id":"1","labels":"a","plugins":{}}"""));

    [Theory]
    [InlineData("""{"id":"1","desc":"d","plugins":{}}""", "invalid configuration: additional properties forbidden, found desc")]
    [InlineData("""{"id":"1","name":"n","plugins":{}}""", "invalid configuration: additional properties forbidden, found name")]
    public void Validate_GlobalRuleMetadata_NotInItsSchema(string json, string message) =>
        Assert.Equal(message, Validate(ResourceKind.GlobalRule, json));

    [Fact]
    public void Validate_PluginConfigBadPlugin_PluginsMessage() =>
        Assert.Equal(
            "failed to check the configuration of plugin limit-count err: value should match only one schema, but matches none",
            Validate(ResourceKind.PluginConfig, """{"id":"1","plugins":{"limit-count":{"rejected_code":503,"time_window":60,"key":"remote_addr"}}}"""));

    [Fact]
    public void Validate_GlobalRuleUnknownPlugin_Refused() =>
        Assert.Equal("unknown plugin [no-such-plugin]", Validate(ResourceKind.GlobalRule, """{"id":"1","plugins":{"no-such-plugin":{}}}"""));

    [Fact]
    public void Validate_GlobalRuleTimePastBound_Refused() =>
        Assert.Equal(
            "invalid configuration: property \"create_time\" validation failed: expected 1e+300 to be at most 99999999999999",
            Validate(ResourceKind.GlobalRule, """{"id":"1","plugins":{},"create_time":1e300}"""));

    [Theory]
    [InlineData("""{"uri":"/a","upstream_id":"u","plugin_config_id":1}""", null)]
    [InlineData("""{"uri":"/a","upstream_id":"u","plugin_config_id":"2"}""", "failed to fetch plugin config info by plugin config id [2], response code: 404")]
    [InlineData("""{"uri":"/a","upstream_id":"u","plugin_config_id":"bad id"}""", "invalid configuration: property \"plugin_config_id\" validation failed: object matches none of the required")]
    public void Validate_RoutePluginConfigId_MustExist(string json, string? message)
    {
        var hooks = new ValidationHooks((kind, id) => kind == ResourceKind.Upstream || (kind, id) is (ResourceKind.PluginConfig, "1"), _ => null, _ => null);
        Assert.Equal(message, ResourceValidator.Validate(ResourceKind.Route, JsonNode.Parse(json)!.AsObject(), hooks));
    }

    [Fact]
    public void Find_PluginSetByAnotherRule_ApisixText()
    {
        JsonObject[] stored =
        [
            JsonNode.Parse("""{"id":"1","plugins":{"limit-count":{}}}""")!.AsObject(),
            JsonNode.Parse("""{"id":"2","plugins":{"ip-restriction":{}}}""")!.AsObject(),
        ];

        Assert.Equal(
            "plugin 'ip-restriction' already exists in global rule with id '2'",
            GlobalRuleConflicts.Find(JsonNode.Parse("""{"id":"3","plugins":{"limit-req":{},"ip-restriction":{}}}""")!.AsObject(), stored));
        Assert.Equal(
            "plugin 'limit-count' already exists in global rule with id '1'",
            GlobalRuleConflicts.Find(JsonNode.Parse("""{"id":"3","plugins":{"limit-count":{}}}""")!.AsObject(), stored));
    }

    [Fact]
    public void Find_SameRuleUpdated_NoConflict() =>
        Assert.Null(GlobalRuleConflicts.Find(
            JsonNode.Parse("""{"id":1,"plugins":{"limit-count":{}}}""")!.AsObject(),
            [JsonNode.Parse("""{"id":"1","plugins":{"limit-count":{}}}""")!.AsObject()]));
}

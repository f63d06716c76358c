using System.Text.Json.Nodes;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class PluginSchemaMetaTests
{
    [Fact]
    public void WithMeta_ProxyMirror_AddsMetaAndComment()
    {
        var original = ResourceSchemas.Plugin("proxy-mirror")!;
        var schema = PluginSchemaMeta.WithMeta(original);

        Assert.Equal("this is a mark for our injected plugin schema", schema["$comment"]!.GetValue<string>());
        var meta = schema["properties"]!["_meta"]!.AsObject();
        Assert.Equal("object", meta["type"]!.GetValue<string>());
        Assert.False(meta["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(
            new[] { "disable", "error_response", "priority", "filter", "pre_function" },
            meta["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(original["properties"]!.AsObject().Count + 1, schema["properties"]!.AsObject().Count);
    }

    [Fact]
    public void WithMeta_DoesNotChangeOriginal()
    {
        var original = JsonNode.Parse("""{"type":"object","properties":{"a":{}}}""")!.AsObject();
        _ = PluginSchemaMeta.WithMeta(original);
        Assert.False(original["properties"]!.AsObject().ContainsKey("_meta"));
        Assert.False(original.ContainsKey("$comment"));
    }

    [Fact]
    public void WithMeta_SchemaWithoutProperties_GetsProperties()
    {
        var schema = PluginSchemaMeta.WithMeta(JsonNode.Parse("""{"type":"object"}""")!.AsObject());
        Assert.NotNull(schema["properties"]!["_meta"]);
    }

    [Theory]
    [InlineData("""{"error_response":"x"}""", null)]
    [InlineData("""{"error_response":{"a":1}}""", null)]
    [InlineData("""{"error_response":1}""", "property \"_meta\" validation failed: property \"error_response\" validation failed: value should match only one schema, but matches none")]
    [InlineData("""{"priority":1.5}""", "property \"_meta\" validation failed: property \"priority\" validation failed: wrong type: expected integer, got number")]
    [InlineData("""{"disable":"yes"}""", "property \"_meta\" validation failed: property \"disable\" validation failed: wrong type: expected boolean, got string")]
    public void WithMeta_MetaValues_ValidatedLikeApisix(string meta, string? expected)
    {
        var schema = PluginSchemaMeta.WithMeta(JsonNode.Parse("""{"type":"object"}""")!.AsObject());
        Assert.Equal(expected, JsonSchemaValidator.Validate(schema, JsonNode.Parse($$"""{"_meta":{{meta}}}""")));
    }
}

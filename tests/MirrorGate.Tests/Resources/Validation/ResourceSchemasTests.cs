using System.Text.Json.Nodes;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class ResourceSchemasTests
{
    [Theory]
    [InlineData(ResourceKind.Route)]
    [InlineData(ResourceKind.Upstream)]
    [InlineData(ResourceKind.Service)]
    [InlineData(ResourceKind.PluginConfig)]
    [InlineData(ResourceKind.GlobalRule)]
    public void For_EachKind_IsStrictObjectSchemaLoadedOnce(ResourceKind kind)
    {
        var schema = ResourceSchemas.For(kind);
        Assert.Same(schema, ResourceSchemas.For(kind));
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public void For_Route_InlinesUpstreamSchema() =>
        Assert.True(JsonNode.DeepEquals(ResourceSchemas.For(ResourceKind.Upstream), ResourceSchemas.For(ResourceKind.Route)["properties"]!["upstream"]));

    [Fact]
    public void Validate_ConcurrentCallsOnSharedSchema_AllAgree()
    {
        var results = new string?[64];
        Parallel.For(0, results.Length, i =>
            results[i] = ResourceValidator.Validate(
                ResourceKind.Route,
                JsonNode.Parse("""{"uri":"/a","methods":["GET","BAD"],"upstream":{"nodes":{"a:80":1}}}""")!.AsObject(),
                new ValidationHooks((_, _) => true, _ => null, _ => null)));
        Assert.All(results, r => Assert.Equal(
            "invalid configuration: property \"methods\" validation failed: failed to validate item 2: matches none of the enum values", r));
    }
}

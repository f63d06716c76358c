using System.Text.Json.Nodes;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

/// <summary>Every end-anchored pattern of the served schemas, exercised with a trailing newline.</summary>
public sealed class SchemaPatternsTests
{
    // One value each pattern accepts; the value with "\n" appended must be refused.
    private static readonly Dictionary<string, string> ValidSamples = new(StringComparer.Ordinal)
    {
        [@"^[a-zA-Z0-9-_.]+$"] = "route-1",
        [@"^\S+$"] = "prod",
        [@"^\*$|^\*?[0-9a-zA-Z-._\[\]:]+$"] = "*.example.com",
        [@"^([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])\.([0-9]|[1-9][0-9]|1[0-9]{2}|2[0-4][0-9]|25[0-5])/([12]?[0-9]|3[0-2])$"] = "10.0.0.0/8",
        [@"^([a-fA-F0-9]{0,4}:){1,8}(:[a-fA-F0-9]{0,4}){0,8}([a-fA-F0-9]{0,4})?/[0-9]{1,3}$"] = "fe80::/64",
        [@"^(http(s)?|grpc(s)?):\/\/([\da-zA-Z.-]+|\[[\da-fA-F:]+\])(:\d+)?$"] = "http://127.0.0.1:8081",
    };

    // The mirror path's class [^?&] admits "\n" itself, so the anchor cannot refuse it; the
    // plugin's own check does (ProxyMirrorConfigCheckTests).
    private const string MirrorPathPattern = "^/[^?&]+$";

    public static TheoryData<string> EndAnchoredPatterns()
    {
        var data = new TheoryData<string>();
        foreach (var pattern in SchemaPatternsIn(AllSchemas()).Where(p => p.EndsWith('$') && p != MirrorPathPattern))
        {
            data.Add(pattern);
        }

        return data;
    }

    [Fact]
    public void ValidSamples_CoverEveryEndAnchoredSchemaPattern()
    {
        var inSchemas = SchemaPatternsIn(AllSchemas()).Where(p => p.EndsWith('$')).ToHashSet();

        Assert.Equal(inSchemas.Order(), ValidSamples.Keys.Append(MirrorPathPattern).Order());
    }

    [Theory]
    [MemberData(nameof(EndAnchoredPatterns))]
    public void IsMatch_ValueWithTrailingNewline_Refused(string pattern)
    {
        var sample = ValidSamples[pattern];

        Assert.True(SchemaPatterns.IsMatch(pattern, sample), sample);
        Assert.False(SchemaPatterns.IsMatch(pattern, sample + "\n"), sample + "\\n");
    }

    [Theory]
    [InlineData("hostname", "example.com")]
    [InlineData("uri", "http://example.com/a")]
    [InlineData("email", "ops@example.com")]
    [InlineData("uuid", "123e4567-e89b-12d3-a456-426614174000")]
    public void Validate_FormatWithTrailingNewline_Refused(string format, string sample)
    {
        var schema = new JsonObject { ["type"] = "string", ["format"] = format };

        Assert.Null(JsonSchemaValidator.Validate(schema, JsonValue.Create(sample)));
        Assert.Equal($"expect valid {format} format but got: {sample}\n", JsonSchemaValidator.Validate(schema, JsonValue.Create(sample + "\n")));
    }

    private static IEnumerable<JsonObject> AllSchemas() =>
    [
        ResourceSchemas.For(ResourceKind.Route),
        ResourceSchemas.For(ResourceKind.Service),
        ResourceSchemas.For(ResourceKind.Upstream),
        ResourceSchemas.Plugin("proxy-mirror")!,
    ];

    private static HashSet<string> SchemaPatternsIn(IEnumerable<JsonNode> schemas)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var schema in schemas)
        {
            Collect(schema, found);
        }

        return found;

        static void Collect(JsonNode? node, HashSet<string> found)
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, child) in obj)
                    {
                        if (key == "pattern" && child is JsonValue v && v.TryGetValue<string>(out var pattern)) found.Add(pattern);
                        Collect(child, found);
                    }

                    break;
                case JsonArray array:
                    foreach (var child in array) Collect(child, found);
                    break;
            }
        }
    }
}

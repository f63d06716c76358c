using System.Text.Json.Nodes;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class ForbiddenPropertiesTests
{
    private static string? Check(string body) => ForbiddenProperties.Check(JsonNode.Parse(body)!.AsObject());

    [Theory]
    [InlineData("""{"uri":"/a","create_time":1}""", "the property is forbidden:  create_time")]
    [InlineData("""{"uri":"/a","update_time":1}""", "the property is forbidden:  update_time")]
    [InlineData("""{"upstream":{"create_time":1}}""", "the property is forbidden:  upstream.create_time")]
    [InlineData("""{"upstream":{"update_time":1}}""", "the property is forbidden:  upstream.update_time")]
    [InlineData("""{"plugins":{"create_time":1}}""", "the property is forbidden:  plugins.create_time")]
    [InlineData("""{"plugins":{"update_time":1},"upstream":{"update_time":1}}""", "the property is forbidden:  upstream.update_time")]
    public void Check_TimestampInBody_IsForbidden(string body, string message) => Assert.Equal(message, Check(body));

    [Theory]
    [InlineData("""{"uri":"/a"}""")]
    [InlineData("""{"uri":"/a","create_time":false}""")] // Lua truthiness: false is "not set"
    [InlineData("""{"plugins":{"proxy-mirror":{"create_time":1}}}""")] // only one level deep
    public void Check_NoTopLevelTimestamp_IsNull(string body) => Assert.Null(Check(body));
}

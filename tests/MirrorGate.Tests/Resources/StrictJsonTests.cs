using System.Text.Json;
using MirrorGate.Resources;

namespace MirrorGate.Tests.Resources;

public sealed class StrictJsonTests
{
    [Theory]
    [InlineData("""{"uri":"/a","uri":"/b"}""", "Duplicate property 'uri'")]
    [InlineData("""{"upstream":{"nodes":{"a:80":1,"a:80":2}}}""", "Duplicate property 'a:80'")]
    [InlineData("""[{"x":1,"x":1}]""", "Duplicate property 'x'")]
    public void Parse_DuplicateKey_ThrowsJsonException(string json, string expected) =>
        Assert.Contains(expected, Assert.ThrowsAny<JsonException>(() => StrictJson.Parse(json)).Message);

    [Theory]
    [InlineData("""{"uri":"\ud83d"}""")]
    [InlineData("""{"uri":"\udc00x"}""")]
    [InlineData("""{"\ud83d":1}""")]
    [InlineData("""{"a":[{"b":["\ud83d"]}]}""")]
    public void Parse_LoneSurrogateEscape_ThrowsJsonException(string json) =>
        Assert.ThrowsAny<JsonException>(() => StrictJson.Parse(json));

    [Fact]
    public void Parse_SurrogatePairEscape_DecodesToOneCharacter() =>
        Assert.Equal("\U0001F600", StrictJson.Parse("""{"uri":"\ud83d\ude00"}""")!["uri"]!.GetValue<string>());

    [Fact]
    public void Parse_DeeperThanLimit_ThrowsJsonException() =>
        Assert.ThrowsAny<JsonException>(() => StrictJson.Parse(new string('[', StrictJson.MaxDepth + 1) + new string(']', StrictJson.MaxDepth + 1)));
}

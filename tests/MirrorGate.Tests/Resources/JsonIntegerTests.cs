using System.Text.Json.Nodes;
using MirrorGate.Resources;

namespace MirrorGate.Tests.Resources;

public sealed class JsonIntegerTests
{
    [Theory]
    [InlineData("1", 1)]
    [InlineData("1.0", 1)]
    [InlineData("1e2", 100)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("2147483647", int.MaxValue)]
    public void ToInt32_IntegerInAnyJsonSpelling_Read(string json, int expected) =>
        Assert.Equal(expected, JsonInteger.ToInt32(JsonNode.Parse(json)!));

    [Fact]
    public void ToInt32_PastInt32_Throws() =>
        Assert.Throws<OverflowException>(() => JsonInteger.ToInt32(JsonNode.Parse("2147483648")!));

    [Fact]
    public void ToInt32OrNull_Absent_Null() => Assert.Null(JsonInteger.ToInt32OrNull(null));
}

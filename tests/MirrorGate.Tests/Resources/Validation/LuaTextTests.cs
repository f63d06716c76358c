using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class LuaTextTests
{
    [Theory]
    [InlineData(10, "10")]
    [InlineData(0.5, "0.5")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1e15, "1e+15")]
    [InlineData(99999999999999, "99999999999999")]
    [InlineData(0.30000000000000004, "0.3")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(65536, "65536")]
    public void Number_Value_PrintsLikePercent14g(double value, string expected) => Assert.Equal(expected, LuaText.Number(value));

    [Theory]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\rb", "\"a\\13b\"")]
    [InlineData("a\r1", "\"a\\0131\"")]
    [InlineData("a\u007f", "\"a\\127\"")]
    [InlineData("é", "\"é\"")]
    public void Quote_Text_EscapesLikeLuaJit(string value, string expected) => Assert.Equal(expected, LuaText.Quote(value));
}

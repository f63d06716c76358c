using System.Text.Json.Nodes;
using MirrorGate.Plugins.ResponseRewrite;

namespace MirrorGate.Tests.Plugins.ResponseRewrite;

public sealed class ResponseRewriteConfigTests
{
    private static string? Check(string json) => new ResponseRewritePlugin().CheckConfig(JsonNode.Parse(json)!.AsObject());

    [Theory]
    [InlineData("""{"body":"hello","body_base64":true}""", "invalid base64 content")]
    [InlineData("""{"body":"","body_base64":true}""", "invalid base64 content")]
    [InlineData("""{"body_base64":true}""", "invalid base64 content")]
    [InlineData("""{"headers":{"":"x"}}""", "invalid field length in header")]
    [InlineData("""{"filters":[{"regex":"(","replace":"x"}]}""", null)]
    public void CheckConfig_ApisixTexts(string config, string? expected)
    {
        var error = Check(config);
        if (expected is null)
        {
            Assert.StartsWith("regex \"(\" validation failed: ", error);
        }
        else
        {
            Assert.Equal(expected, error);
        }
    }

    [Theory]
    [InlineData("""{"body":"aGVsbG8K","body_base64":true}""")]
    [InlineData("""{"headers":{"add":["X-A: 1"],"set":{"X-B":2},"remove":["Server"]}}""")]
    [InlineData("""{"vars":[["status","==",200]],"status_code":404}""")]
    [InlineData("""{"filters":[{"regex":"hello","replace":"hi","scope":"global","options":"ijo"}]}""")]
    public void CheckConfig_ValidConfigs_Accepted(string config) => Assert.Null(Check(config));

    [Fact]
    public void CheckConfig_BadVars_ApisixPrefix()
        => Assert.StartsWith("failed to validate the 'vars' expression: ", Check("""{"vars":[["status","~~~",200]]}"""));

    [Fact]
    public void CheckConfig_UnknownRegexOption_Refused()
        => Assert.StartsWith("regex \"a\" validation failed: unknown flag", Check("""{"filters":[{"regex":"a","replace":"b","options":"z"}]}"""));

    [Fact]
    public void Compile_Base64Body_Decoded()
        => Assert.Equal("hello\n"u8.ToArray(), ResponseRewriteConfig.Compile(JsonNode.Parse("""{"body":"aGVsbG8K","body_base64":true}""")!.AsObject()).Body);

    [Theory]
    [InlineData("hello", "once", "", "hello hello", "hi hello")]
    [InlineData("hello", "global", "", "hello hello", "hi hi")]
    [InlineData("HELLO", "global", "i", "hello Hello", "hi hi")]
    [InlineData("HELLO", "global", "jo", "hello", "hello")]
    [InlineData("(h)ello", "once", "jo", "hello", "hi")]
    [InlineData("nothing", "once", "jo", "hello", "hello")]
    public void Filter_Apply_AsNgxReSubAndGsub(string regex, string scope, string options, string body, string expected)
    {
        var replace = regex.StartsWith('(') ? "$1i" : "hi";
        Assert.Equal(expected, ResponseBodyFilter.TryCreate(regex, replace, scope, options, out _)!.Apply(body));
    }

    [Theory]
    [InlineData("X-A: 1", "X-A", "1")]
    [InlineData("Set-Cookie: a=b; Max-Age=3", "Set-Cookie", "a=b; Max-Age=3")]
    public void SplitAddLine_AsApisixPattern(string line, string name, string value)
        => Assert.Equal((name, value), ResponseHeaderEdits.SplitAddLine(line));
}

using MirrorGate.Plugins.Cors;

namespace MirrorGate.Tests.Plugins.Cors;

public sealed class CorsOriginRuleTests
{
    [Theory]
    [InlineData("*", null, "*")]
    [InlineData("*", "http://a.com", "*")]
    [InlineData("**", null, "*")]
    [InlineData("**", "http://a.com", "http://a.com")]
    [InlineData("http://a.com", "http://a.com", "http://a.com")]
    [InlineData("http://a.com", "http://b.com", null)]
    [InlineData("http://a.com", null, null)]
    [InlineData("http://a.com,http://b.com", "http://b.com", "http://b.com")]
    [InlineData("http://a.com,http://b.com", "http://c.com", null)]
    [InlineData("http://a.com,http://b.com", null, null)]
    [InlineData("null", "null", "null")]
    public void Allowed_List_AsApisixMatchesOrigins(string configured, string? origin, string? expected)
        => Assert.Equal(expected, CorsOriginRule.FromList(configured).Allowed(origin));

    [Theory]
    [InlineData("http://a.test.com", "http://a.test.com")]
    [InlineData("https://b.example.org", "https://b.example.org")]
    [InlineData("http://a.test2.com", null)]
    [InlineData(null, null)]
    public void Allowed_Regexes_AnyMatchEchoesOrigin(string? origin, string? expected)
        => Assert.Equal(expected, CorsOriginRule.FromRegexes([@".*\.test\.com$", @".*\.example\.org$"]).Allowed(origin));

    [Fact]
    public void CheckConfig_CredentialWithDefaultMethods_Refused()
        => Assert.Equal(
            "you can not set '*' for other option when 'allow_credential' is true",
            new CorsPlugin().CheckConfig(new System.Text.Json.Nodes.JsonObject { ["allow_origins"] = "http://a.com", ["allow_headers"] = "h", ["allow_credential"] = true }));
}

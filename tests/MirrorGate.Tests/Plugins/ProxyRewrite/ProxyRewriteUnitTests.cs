using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Plugins.ProxyRewrite;

namespace MirrorGate.Tests.Plugins.ProxyRewrite;

public sealed class ProxyRewriteUnitTests
{
    private static HttpContext Request(string path = "/hello", string query = "")
    {
        var http = new DefaultHttpContext();
        http.Request.Path = path;
        http.Request.QueryString = new QueryString(query);
        http.Request.Headers["X-User"] = "bob";
        return http;
    }

    [Theory]
    [InlineData("/plain", "/plain")]
    [InlineData("/$uri/x", "//hello/x")]
    [InlineData("/${arg_a}-$http_x_user", "/1-bob")]
    [InlineData("/${arg_none ?? dflt}", "/dflt")]
    [InlineData("/$arg_none|", "/|")]
    [InlineData("/\\$arg_a", "/\\$arg_a")]
    [InlineData("/$", "/$")]
    public void ValueTemplate_Render_ResolvesApisixVariables(string template, string expected)
        => Assert.Equal(expected, ValueTemplate.Compile(template, captures: false).Render(Request(query: "?a=1")));

    [Fact]
    public void ValueTemplate_Render_CapturesOnlyWhenAsked()
    {
        var match = System.Text.RegularExpressions.Regex.Match("/test/a/b", "^/test/(.*)/(.*)");

        Assert.Equal("a-b-", ValueTemplate.Compile("$1-${2}-$3", captures: true).Render(Request(), match));
        Assert.Equal("--", ValueTemplate.Compile("$1-${2}-$3", captures: false).Render(Request(), match));
    }

    [Theory]
    [InlineData("^/test/(.*)/(.*)", "/$1_${2}$$", "/test/a/b", "/a_b$")]
    [InlineData("b", "X", "/abab", "/aXab")]
    [InlineData("^/(x)?y", "/[$1]", "/yz", "/[]z")]
    public void RegexUriRule_Substitute_FirstMatchWithNginxTemplate(string pattern, string replacement, string uri, string expected)
    {
        var rule = RegexUriRule.TryCreate(pattern, replacement, out var error)!;

        Assert.Null(error);
        Assert.Equal(expected, rule.Substitute(uri, rule.Pattern.Match(uri)));
    }

    [Theory]
    [InlineData("/$`1")]
    [InlineData("/$&")]
    [InlineData("/${1")]
    [InlineData("/x$")]
    public void RegexUriRule_TryCreate_DotNetOnlyReplacementRefused(string replacement)
    {
        Assert.Null(RegexUriRule.TryCreate("^/(.*)", replacement, out var error));
        Assert.StartsWith("invalid capturing variable name found", error);
    }

    [Theory]
    [InlineData("/a b#c%d?e", "/a%20b%23c%25d%3Fe")]
    [InlineData("/é\r\n", "/%C3%A9%0D%0A")]
    [InlineData("/keep-_.~!$&'()*+,;=:@/", "/keep-_.~!$&'()*+,;=:@/")]
    public void UpstreamUriEscaping_SafeEncode_AsNginxEscapeUri(string uri, string expected)
        => Assert.Equal(expected, UpstreamUriEscaping.SafeEncode(uri));

    [Fact]
    public void UpstreamUriEscaping_EscapeControls_KeepsDelimiters()
        => Assert.Equal("?a=b&c=%0D%0A d", UpstreamUriEscaping.EscapeControls("?a=b&c=\r\n d"));

    [Theory]
    [InlineData("""{"headers":{"set":{"X-A":"v"},"remove":["X B"]}}""", "invalid field character in header")]
    [InlineData("""{"headers":{"add":{"X-A":["ok","bad\u0001"]}}}""", "invalid value character in header")]
    [InlineData("""{"regex_uri":["(", "/"]}""", "invalid regex_uri((, /): ")]
    [InlineData("""{"uri":"/x","headers":{"X-A":1}}""", null)]
    public void CheckConfig_BeyondSchema_ApisixTexts(string config, string? expected)
    {
        var error = new ProxyRewritePlugin().CheckConfig(JsonNode.Parse(config)!.AsObject());

        if (expected is null)
        {
            Assert.Null(error);
        }
        else
        {
            Assert.StartsWith(expected, error);
        }
    }
}

using Microsoft.AspNetCore.Http;
using MirrorGate.Configuration;
using MirrorGate.Hosting;
using MirrorGate.Pipeline;

namespace MirrorGate.Tests.Pipeline;

public sealed class ServerHeaderAndErrorPageTests
{
    [Fact]
    public void ServerTokens_DefaultOn_NameAndVersion()
    {
        var (config, _) = NodeConfigLoader.LoadFromText("", "config.yaml");

        Assert.True(config.EnableServerTokens);
        Assert.Equal($"MirrorGate/{CommandLine.Version}", new ServerHeader(config.EnableServerTokens).Value.ToString());
    }

    [Fact]
    public void ServerTokens_Off_NameOnly()
    {
        var (config, _) = NodeConfigLoader.LoadFromText("apisix:\n  enable_server_tokens: false\n", "config.yaml");

        Assert.False(config.EnableServerTokens);
        Assert.Equal("MirrorGate", new ServerHeader(config.EnableServerTokens).Value.ToString());
    }

    [Theory]
    [InlineData(400, "400 Bad Request")]
    [InlineData(405, "405 Not Allowed")]
    [InlineData(429, "429 Too Many Requests")]
    [InlineData(500, "500 Internal Server Error")]
    [InlineData(502, "502 Bad Gateway")]
    [InlineData(503, "503 Service Temporarily Unavailable")]
    [InlineData(504, "504 Gateway Time-out")]
    public void Page_NginxLayout(int status, string title)
    {
        var page = System.Text.Encoding.ASCII.GetString(GatewayErrorPage.For(status)!);

        Assert.Equal($"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>MirrorGate</center>\r\n</body>\r\n</html>\r\n", page);
    }

    [Fact]
    public void Page_NoneForOtherStatuses() => Assert.Null(GatewayErrorPage.For(404));

    [Fact]
    public async Task WriteIfEmpty_ResponseWithBodyLength_Untouched()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        http.Response.StatusCode = 502;
        http.Response.ContentLength = 5;

        await GatewayErrorPage.WriteIfEmptyAsync(http.Response);

        Assert.Equal(0, http.Response.Body.Length);
    }

    [Fact]
    public async Task WriteIfEmpty_Empty502_PageWithLength()
    {
        var http = new DefaultHttpContext();
        http.Response.Body = new MemoryStream();
        http.Response.StatusCode = 502;

        await GatewayErrorPage.WriteIfEmptyAsync(http.Response);

        Assert.Equal("text/html", http.Response.ContentType);
        Assert.Equal(GatewayErrorPage.For(502)!.Length, http.Response.ContentLength);
        Assert.Equal(GatewayErrorPage.For(502)!.Length, http.Response.Body.Length);
    }
}

using System.Net;
using Microsoft.AspNetCore.Http;
using MirrorGate.Plugins.Limiting;

namespace MirrorGate.Tests.Plugins.Limiting;

public sealed class LimitKeyTests
{
    private static DefaultHttpContext Request()
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:10.0.0.7");
        http.Connection.LocalIpAddress = IPAddress.Parse("127.0.0.1");
        http.Request.Headers["X-User"] = "bob";
        http.Request.QueryString = new QueryString("?id=42");
        return http;
    }

    [Theory]
    [InlineData("remote_addr", "var", "10.0.0.7")]
    [InlineData("server_addr", "var", "127.0.0.1")]
    [InlineData("http_x_user", "var", "bob")]
    [InlineData("http_x_absent", "var", "10.0.0.7")]
    [InlineData("$http_x_user:${arg_id}", "var_combination", "bob:42")]
    [InlineData("$http_x_user-$http_x_absent", "var_combination", "bob-")]
    [InlineData("$http_x_absent $arg_none", "var_combination", "10.0.0.7")]
    [InlineData("$http_x_user", "constant", "$http_x_user")]
    public void Resolve_KeyType_ApisixValue(string key, string keyType, string expected)
        => Assert.Equal(expected, LimitKey.Compile(key, keyType).Resolve(Request()));
}

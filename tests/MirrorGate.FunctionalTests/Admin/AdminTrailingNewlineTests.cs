using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>A schema pattern's "$" is the true end of the value: a trailing newline never reaches the store.</summary>
public sealed class AdminTrailingNewlineTests
{
    private const string HostPattern = "\"^\\\\*$|^\\\\*?[0-9a-zA-Z-._\\\\[\\\\]:]+$\"";

    [Fact]
    public async Task Put_ValueWithTrailingNewline_400AndNothingStored()
    {
        await using var gateway = await GatewayNode.StartAsync();
        (string Path, string Body, string Message)[] cases =
        [
            ("/apisix/admin/routes/1",
                """{"uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":1},"pass_host":"rewrite","upstream_host":"evil\n"}}""",
                $"invalid configuration: property \"upstream\" validation failed: property \"upstream_host\" validation failed: failed to match pattern {HostPattern} with \"evil\\\n\""),
            ("/apisix/admin/upstreams/1",
                """{"nodes":[{"host":"127.0.0.1\n","port":1980,"weight":1}]}""",
                $"invalid configuration: property \"nodes\" validation failed: object matches none of the required"),
            ("/apisix/admin/routes/1",
                """{"uri":"/a","plugins":{"proxy-mirror":{"host":"http://127.0.0.1:8081\n"}},"upstream":{"nodes":{"127.0.0.1:1980":1}}}""",
                "failed to check the configuration of plugin proxy-mirror err: property \"host\" validation failed: failed to match pattern "
                + "\"^(http(s)?|grpc(s)?):\\\\/\\\\/([\\\\da-zA-Z.-]+|\\\\[[\\\\da-fA-F:]+\\\\])(:\\\\d+)?$\" with \"http://127.0.0.1:8081\\\n\""),
        ];

        foreach (var (path, body, message) in cases)
        {
            AdminCall.AssertError(await AdminCall.PutAsync(gateway, path, body), 400, message);
        }

        Assert.Equal(0, await AdminCall.RouteCountAsync(gateway));
        Assert.Equal(404, (await AdminCall.GetAsync(gateway, "/apisix/admin/upstreams/1")).Status);
    }
}

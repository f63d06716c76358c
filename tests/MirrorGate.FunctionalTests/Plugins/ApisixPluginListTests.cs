using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// An APISIX config.yaml's <c>plugins:</c> list used as it is: names of APISIX plugins not built
/// here start the node with one warning, and a route that uses one is refused by the Admin API.
/// </summary>
public sealed class ApisixPluginListTests
{
    [Fact]
    public async Task Start_ApisixPluginsNotBuiltListed_OneWarningAndMirrorStillWorks()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync(extraYaml: "plugins:\n  - ua-restriction\n  - basic-auth\n  - proxy-mirror\n  - fault-injection\n");
        await gateway.PutRouteAsync("1", Route("/hello", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/hello", (await mirror.NextAsync()).RawTarget);
        var warnings = gateway.Logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("not available in MirrorGate", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        Assert.Contains("3 APISIX plugins listed in config.yaml are not available in MirrorGate and are ignored: ua-restriction, basic-auth, fault-injection", warnings[0].Message);
        Assert.Equal("""["proxy-mirror"]""", (await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/list")).Body);
    }

    [Fact]
    public async Task PutRoute_ApisixPluginNotBuilt_400SaysItIsAnApisixPlugin()
    {
        await using var gateway = await GatewayNode.StartAsync(extraYaml: "plugins:\n  - basic-auth\n  - proxy-mirror\n");

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1",
            """{"uri":"/hello","plugins":{"basic-auth":{} },"upstream":{"nodes":{"127.0.0.1:1980":1} } }""");

        AdminCall.AssertError(put, 400, "unknown plugin [basic-auth]: basic-auth is an APISIX plugin that is not available in MirrorGate; see docs/from-apisix.md for the plugins it has");
    }

    [Fact]
    public async Task PutService_ApisixPluginNotBuilt_400SaysItIsAnApisixPlugin()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/services/1", """{"plugins":{"fault-injection":{"abort":{"http_status":403} } } }""");

        AdminCall.AssertError(put, 400, "unknown plugin [fault-injection]: fault-injection is an APISIX plugin that is not available in MirrorGate; see docs/from-apisix.md for the plugins it has");
    }
}

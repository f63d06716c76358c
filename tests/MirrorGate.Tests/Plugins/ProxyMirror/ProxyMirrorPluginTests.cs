using System.Net;
using System.Text.Json.Nodes;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

/// <summary>The plugin's check beyond its schema, as the Admin API and the snapshot build run it.</summary>
public sealed class ProxyMirrorPluginTests
{
    private const string Prefix = "failed to check the configuration of plugin proxy-mirror err: ";

    private static readonly ProxyMirrorPlugin Plugin = new(new ReservedListeners(
        [new ReservedListener("Admin API", "deployment.admin.admin_listen", IPAddress.Loopback, 9180)],
        "gateway-7",
        new HashSet<IPAddress>()));

    private static string? Check(string pluginJson)
        => PluginConfigChecker.Check(
            JsonNode.Parse($$"""{"proxy-mirror":{{pluginJson}}}"""),
            name => name == ProxyMirrorPlugin.PluginName ? Plugin.Schema : null,
            checkConfig: (_, config) => Plugin.CheckConfig(config));

    [Theory]
    [InlineData("http://127.0.0.1:1986")]
    [InlineData("grpc://[::1]:50051")]
    [InlineData("http://backend")]
    [InlineData("http://127.0.0.1:9181")]
    public void Check_ConnectableHost_Accepted(string host)
        => Assert.Null(Check($$"""{"host":"{{host}}"}"""));

    [Theory]
    [InlineData("http://127.0.0.1:99999", "port 99999 is not between 1 and 65535")]
    [InlineData("http://..:8081", "\"..\" is not a valid host name")]
    [InlineData("http://[:::::]:8081", "\"[:::::]\" is not a valid IPv6 address")]
    public void Check_HostDotNetCannotConnectTo_RefusedWithApisixStyleMessage(string host, string problem)
        => Assert.Equal($"{Prefix}property \"host\" validation failed: \"{host}\": {problem}", Check($$"""{"host":"{{host}}"}"""));

    [Theory]
    [InlineData("http://127.0.0.1:9180")]
    [InlineData("http://localhost:9180")]
    [InlineData("https://0.0.0.0:9180")]
    public void Check_HostReachesAdminListener_Refused(string host)
        => Assert.Equal(
            $"{Prefix}property \"host\" validation failed: \"{host}\" reaches this node's Admin API listener (deployment.admin.admin_listen 127.0.0.1:9180); "
            + "mirror copies carry the client's headers and may not be sent to the node's Admin API or metrics listeners",
            Check($$"""{"host":"{{host}}"}"""));

    [Theory]
    [InlineData("/a\\r\\nX-Injected: 1")]
    [InlineData("/a\\n")]
    [InlineData("/a\\u0000b")]
    public void Check_PathWithCrLfOrNul_Refused(string path)
        => Assert.Equal($"{Prefix}property \"path\" validation failed: a request line cannot carry control characters", Check($$"""{"host":"http://m","path":"{{path}}"}"""));

    [Fact]
    public void Check_PathWithHash_Accepted()
        => Assert.Null(Check("""{"host":"http://m","path":"/a#frag"}"""));

    [Fact]
    public void Check_DisabledWithUnconnectableHost_AcceptedAsApisixAcceptsDisabledPlugins()
        => Assert.Null(Check("""{"host":"http://127.0.0.1:99999","_meta":{"disable":true}}"""));
}

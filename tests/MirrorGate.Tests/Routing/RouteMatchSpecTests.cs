using System.Text.Json.Nodes;
using MirrorGate.Routing;
using static MirrorGate.Tests.Routing.RoutingTestRequests;

namespace MirrorGate.Tests.Routing;

public sealed class RouteMatchSpecTests
{
    [Fact]
    public void FromConfig_AllFields_Read()
    {
        var spec = Spec("7", """
            {"uris":["/a","/b*"],"hosts":["X.com","*.y.com"],"methods":["GET"],"remote_addrs":["10.0.0.0/8"],
             "vars":[["arg_a","==","1"]],"priority":3}
            """);

        Assert.Equal("7", spec.Id);
        Assert.Equal(["/a", "/b*"], spec.Uris);
        Assert.Equal(["x.com", "*.y.com"], spec.Hosts);
        Assert.Equal(["GET"], spec.Methods);
        Assert.Single(spec.RemoteAddrs!);
        Assert.NotNull(spec.Vars);
        Assert.Equal(3, spec.Priority);
        Assert.True(spec.IsEnabled);
    }

    [Fact]
    public void FromConfig_Minimal_Defaults()
    {
        var spec = Spec("1", """{"uri":"/x","status":1}""");

        Assert.Equal(["/x"], spec.Uris);
        Assert.Null(spec.Hosts);
        Assert.Null(spec.Methods);
        Assert.Null(spec.RemoteAddrs);
        Assert.Null(spec.Vars);
        Assert.Equal(0, spec.Priority);
        Assert.True(spec.IsEnabled);
    }

    [Fact]
    public void FromConfig_StatusZero_Disabled() => Assert.False(Spec("1", """{"uri":"/x","status":0}""").IsEnabled);

    [Fact]
    public void FromConfig_ServiceWithoutHosts_RouteStaysHostless() =>
        Assert.Null(Spec("1", """{"uri":"/x"}""", """{"upstream_id":"1"}""").Hosts);

    [Fact]
    public void FromConfig_BadVars_ThrowsWithApisixMessage()
    {
        var error = Assert.Throws<VarsExpressionException>(() => Spec("1", """{"uri":"/x","vars":[["arg_a","=","1"]]}"""));

        Assert.Equal("failed to validate the 'vars' expression: invalid operator '='", error.Message);
    }

    [Fact]
    public void FromConfig_EmptyVars_NoCondition() => Assert.Null(Spec("1", """{"uri":"/x","vars":[]}""").Vars);

    [Fact]
    public void FromConfig_RouteObjectUntouched_NoSideEffects()
    {
        var route = JsonNode.Parse("""{"uri":"/x","host":"A.com"}""")!.AsObject();
        RouteMatchSpec.FromConfig("1", route, null);

        Assert.Equal("A.com", route["host"]!.GetValue<string>());
    }
}

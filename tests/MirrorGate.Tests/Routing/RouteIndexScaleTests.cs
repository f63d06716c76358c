using MirrorGate.Routing;
using static MirrorGate.Tests.Routing.RoutingTestRequests;

namespace MirrorGate.Tests.Routing;

public sealed class RouteIndexScaleTests
{
    [Fact]
    public void Build_TenThousandRoutes_EveryKindStillMatchesCorrectly()
    {
        var routes = new List<(RouteMatchSpec, string)>();
        for (var i = 0; i < 10_000; i++)
        {
            var spec = (i % 4) switch
            {
                0 => new RouteMatchSpec($"exact{i}", [$"/svc/{i}/items"]),
                1 => new RouteMatchSpec($"prefix{i}", [$"/svc/{i}/*"]),
                2 => new RouteMatchSpec($"host{i}", [$"/h/{i}"], hosts: [$"h{i}.example.com"]),
                _ => new RouteMatchSpec($"post{i}", [$"/svc/{i}/items"], methods: ["POST"], priority: 1),
            };
            routes.Add((spec, spec.Id));
        }

        routes.Add((new RouteMatchSpec("fallback", ["/svc/*"]), "fallback"));
        var index = RouteIndex<string>.Build(routes);

        Assert.Equal("exact0", index.Match(Request("/svc/0/items")));
        Assert.Equal("prefix9997", index.Match(Request("/svc/9997/anything/else")));
        Assert.Equal("host4002", index.Match(Request("/h/4002", host: "h4002.example.com")));
        Assert.Equal("post9999", index.Match(Request("/svc/9999/items", "POST")));
        Assert.Equal("fallback", index.Match(Request("/svc/9999/items", "GET")));
        Assert.Equal("fallback", index.Match(Request("/svc/4002/none")));
        Assert.Null(index.Match(Request("/h/4002", host: "h4003.example.com")));
        Assert.Null(index.Match(Request("/nowhere")));
    }
}

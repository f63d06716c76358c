using Microsoft.AspNetCore.Http;
using static MirrorGate.Tests.Routing.RoutingTestRequests;

namespace MirrorGate.Tests.Routing;

public sealed class RouteIndexAllocationTests
{
    [Fact]
    public void Match_CommonRoutesWithoutVars_AllocatesNothing()
    {
        var index = Index(
            Spec("exact", """{"uri":"/api/v1/users","methods":["GET"]}"""),
            Spec("prefix", """{"uri":"/api/*"}"""),
            Spec("cidr", """{"uri":"/net/*","remote_addrs":["10.0.0.0/8","2001:db8::/32"]}"""),
            Spec("wild", """{"uri":"/w/*","host":"*.example.com"}"""),
            Spec("host", """{"uri":"/h","host":"a.example.com"}"""));
        HttpContext[] requests =
        [
            Request("/api/v1/users", host: "localhost:8080"),
            Request("/api/v1/users", "POST", host: "localhost:8080"),
            Request("/net/x", remoteIp: "10.1.2.3"),
            Request("/w/x", host: "B.Example.com:9080"),
            Request("/h", host: "a.example.com"),
            Request("/missing", host: "a.example.com"),
        ];

        foreach (var request in requests)
        {
            index.Match(request); // warm up lazily created request state
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            foreach (var request in requests)
            {
                index.Match(request);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

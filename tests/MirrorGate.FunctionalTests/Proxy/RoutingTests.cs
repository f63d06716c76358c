using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>Route matching as APISIX's radixtree_host_uri router, observed through which upstream answers.</summary>
public sealed class RoutingTests
{
    [Fact]
    public async Task Get_ExactUriAndPrefixBothMatch_ExactWins()
    {
        await using var a = await ProxyKit.NamedAsync("a");
        await using var b = await ProxyKit.NamedAsync("b");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/a/*","priority":100,"upstream":{{ProxyKit.To(a)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/a/b","upstream":{{ProxyKit.To(b)}} }""");

        Assert.Equal("b", await gateway.BodyAsync("/a/b"));
        Assert.Equal("a", await gateway.BodyAsync("/a/c"));
        Assert.Equal("a", await gateway.BodyAsync("/a/b/c"));
    }

    [Fact]
    public async Task Get_TwoPrefixesMatch_LongestWins()
    {
        await using var a = await ProxyKit.NamedAsync("a");
        await using var b = await ProxyKit.NamedAsync("b");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/a/b/*","upstream":{{ProxyKit.To(b)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/a/*","priority":100,"upstream":{{ProxyKit.To(a)}} }""");

        Assert.Equal("b", await gateway.BodyAsync("/a/b/c"));
        Assert.Equal("a", await gateway.BodyAsync("/a/x"));
    }

    [Fact]
    public async Task Get_SameUriDifferentPriority_HigherPriorityWinsWhateverTheOrder()
    {
        await using var low = await ProxyKit.NamedAsync("low");
        await using var high = await ProxyKit.NamedAsync("high");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/p","priority":1,"upstream":{{ProxyKit.To(low)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/p","priority":2,"upstream":{{ProxyKit.To(high)}} }""");
        await gateway.PutRouteAsync("3", $$"""{"uri":"/q/*","priority":5,"upstream":{{ProxyKit.To(high)}} }""");
        await gateway.PutRouteAsync("4", $$"""{"uri":"/q/*","priority":-5,"upstream":{{ProxyKit.To(low)}} }""");

        Assert.Equal("high", await gateway.BodyAsync("/p"));
        Assert.Equal("high", await gateway.BodyAsync("/q/1"));
    }

    [Fact]
    public async Task Get_HostBoundAndHostlessRoutes_HostBoundTriedFirst()
    {
        await using var hostless = await ProxyKit.NamedAsync("hostless");
        await using var bound = await ProxyKit.NamedAsync("bound");
        await using var gateway = await GatewayNode.StartAsync();

        // The host-less route is the more specific path, yet a host-bound route is tried first.
        await gateway.PutRouteAsync("1", $$"""{"uri":"/h/x","priority":10,"upstream":{{ProxyKit.To(hostless)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/h/*","host":"api.test","upstream":{{ProxyKit.To(bound)}} }""");

        Assert.Equal("bound", await gateway.BodyAsync("/h/x", host: "api.test"));
        Assert.Equal("bound", await gateway.BodyAsync("/h/x", host: "API.test:9080"));
        Assert.Equal("hostless", await gateway.BodyAsync("/h/x", host: "other.test"));
        Assert.Equal(404, (await gateway.SendAsync("/h/y", host: "other.test")).Status);
    }

    [Fact]
    public async Task Get_HostBoundRouteDeclines_HostlessRouteServes()
    {
        await using var hostless = await ProxyKit.NamedAsync("hostless");
        await using var bound = await ProxyKit.NamedAsync("bound");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/d","upstream":{{ProxyKit.To(hostless)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/d","host":"api.test","methods":["POST"],"upstream":{{ProxyKit.To(bound)}} }""");

        Assert.Equal("hostless", await gateway.BodyAsync("/d", host: "api.test"));
        Assert.Equal("bound", await gateway.BodyAsync("/d", host: "api.test", method: HttpMethod.Post));
    }

    [Fact]
    public async Task Get_WildcardHost_MatchesSubdomainsOnly()
    {
        await using var wild = await ProxyKit.NamedAsync("wild");
        await using var exact = await ProxyKit.NamedAsync("exact");
        await using var other = await ProxyKit.NamedAsync("other");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/*","hosts":["*.example.com"],"upstream":{{ProxyKit.To(wild)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/*","host":"exact.example.com","upstream":{{ProxyKit.To(exact)}} }""");
        await gateway.PutRouteAsync("3", $$"""{"uri":"/*","upstream":{{ProxyKit.To(other)}} }""");

        Assert.Equal("wild", await gateway.BodyAsync("/w", host: "api.example.com"));
        Assert.Equal("exact", await gateway.BodyAsync("/w", host: "exact.example.com"));
        Assert.Equal("other", await gateway.BodyAsync("/w", host: "example.org"));
        Assert.Equal("other", await gateway.BodyAsync("/w", host: "example.com"));
    }

    [Fact]
    public async Task Get_RouteWithSeveralUrisAndHosts_EachPairMatches()
    {
        await using var multi = await ProxyKit.NamedAsync("multi");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uris":["/one","/two/*"],"hosts":["a.test","*.b.test"],"upstream":{{ProxyKit.To(multi)}} }""");

        Assert.Equal("multi", await gateway.BodyAsync("/one", host: "a.test"));
        Assert.Equal("multi", await gateway.BodyAsync("/two/x", host: "x.b.test"));
        Assert.Equal(404, (await gateway.SendAsync("/one", host: "c.test")).Status);
        Assert.Equal(404, (await gateway.SendAsync("/three", host: "a.test")).Status);
    }

    [Fact]
    public async Task Get_MethodsDoNotMatch_SearchGoesOnToNextCandidate()
    {
        await using var post = await ProxyKit.NamedAsync("post");
        await using var prefix = await ProxyKit.NamedAsync("prefix");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/m","methods":["POST","PUT"],"upstream":{{ProxyKit.To(post)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/*","methods":["GET"],"upstream":{{ProxyKit.To(prefix)}} }""");

        Assert.Equal("prefix", await gateway.BodyAsync("/m"));
        Assert.Equal("post", await gateway.BodyAsync("/m", method: HttpMethod.Put));
        Assert.Equal(404, (await gateway.SendAsync("/m", method: HttpMethod.Delete)).Status);
    }

    [Fact]
    public async Task Get_RemoteAddrsDoNotMatch_SearchGoesOn()
    {
        await using var far = await ProxyKit.NamedAsync("far");
        await using var local = await ProxyKit.NamedAsync("local");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/r","priority":10,"remote_addrs":["10.0.0.0/8","::2"],"upstream":{{ProxyKit.To(far)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/r","remote_addr":"127.0.0.0/24","upstream":{{ProxyKit.To(local)}} }""");
        await gateway.PutRouteAsync("3", $$"""{"uri":"/only-far","remote_addrs":["10.0.0.1"],"upstream":{{ProxyKit.To(far)}} }""");

        Assert.Equal("local", await gateway.BodyAsync("/r"));
        Assert.Equal(404, (await gateway.SendAsync("/only-far")).Status);
    }

    [Fact]
    public async Task Get_VarsDoNotMatch_SearchGoesOn()
    {
        await using var canary = await ProxyKit.NamedAsync("canary");
        await using var versioned = await ProxyKit.NamedAsync("versioned");
        await using var plain = await ProxyKit.NamedAsync("plain");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/v","priority":20,"vars":[["http_x_env","==","canary"]],"upstream":{{ProxyKit.To(canary)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/v","priority":10,"vars":[["arg_ver","~~","^v[0-9]+$"],["cookie_team","!","==","ops"]],"upstream":{{ProxyKit.To(versioned)}} }""");
        await gateway.PutRouteAsync("3", $$"""{"uri":"/v","upstream":{{ProxyKit.To(plain)}} }""");

        Assert.Equal("canary", await gateway.BodyAsync("/v", configure: r => r.Headers.Add("X-Env", "canary")));
        Assert.Equal("plain", await gateway.BodyAsync("/v", configure: r => r.Headers.Add("X-Env", "stable")));
        Assert.Equal("versioned", await gateway.BodyAsync("/v?ver=v12"));
        Assert.Equal("plain", await gateway.BodyAsync("/v?ver=v12", configure: r => r.Headers.Add("Cookie", "team=ops")));
        Assert.Equal("plain", await gateway.BodyAsync("/v?ver=x"));
    }

    [Fact]
    public async Task Get_RouteWithStatusZero_IgnoredUntilEnabled()
    {
        await using var off = await ProxyKit.NamedAsync("off");
        await using var fallback = await ProxyKit.NamedAsync("fallback");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/s","status":0,"upstream":{{ProxyKit.To(off)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/t","status":0,"upstream":{{ProxyKit.To(off)}} }""");
        await gateway.PutRouteAsync("3", $$"""{"uri":"/s*","upstream":{{ProxyKit.To(fallback)}} }""");

        Assert.Equal("fallback", await gateway.BodyAsync("/s"));
        Assert.Equal(404, (await gateway.SendAsync("/t")).Status);

        var (status, body) = await gateway.AdminAsync(HttpMethod.Patch, "/apisix/admin/routes/2", """{"status":1}""");
        Assert.True(status == 200, body);
        Assert.Equal("off", await gateway.BodyAsync("/t"));
        Assert.Equal(0, fallback.Requests.Count(r => r.RawTarget == "/t"));
    }

    [Fact]
    public async Task Get_NoRouteMatches_404WithApisixBody()
    {
        await using var upstream = await ProxyKit.NamedAsync("up");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/only","upstream":{{ProxyKit.To(upstream)}} }""");

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/nothing/here");

        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("""{"error_msg":"404 Route Not Found"}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task Get_RouteWithService_ServiceUpstreamPluginsAndHostsMergedIn()
    {
        await using var serviceUpstream = await ProxyKit.NamedAsync("service");
        await using var routeUpstream = await ProxyKit.NamedAsync("route");
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutAsync("/apisix/admin/services/s1", $$"""
            {"hosts":["svc.test"],"upstream":{{ProxyKit.To(serviceUpstream)}},
             "plugins":{"proxy-mirror":{"host":"{{mirror.Url}}"} } }
            """);
        await gateway.PutRouteAsync("1", """{"uri":"/svc","service_id":"s1"}""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/own","service_id":"s1","upstream":{{ProxyKit.To(routeUpstream)}} }""");
        await gateway.PutRouteAsync("3", """{"uri":"/anyhost","host":"route.test","service_id":"s1"}""");

        Assert.Equal("service", await gateway.BodyAsync("/svc", host: "svc.test"));
        Assert.Equal("/svc", (await mirror.NextAsync()).RawTarget);
        Assert.Equal(404, (await gateway.SendAsync("/svc", host: "other.test")).Status);
        Assert.Equal("route", await gateway.BodyAsync("/own", host: "svc.test"));
        Assert.Equal("/own", (await mirror.NextAsync()).RawTarget);

        // The route's own host replaces the service's hosts.
        Assert.Equal("service", await gateway.BodyAsync("/anyhost", host: "route.test"));
        Assert.Equal(404, (await gateway.SendAsync("/anyhost", host: "svc.test")).Status);
    }

    [Fact]
    public async Task Get_RouteAndServiceWithUpstreamId_ServeTheReferencedUpstreamAndFollowItsChanges()
    {
        await using var first = await ProxyKit.NamedAsync("first");
        await using var second = await ProxyKit.NamedAsync("second");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutAsync("/apisix/admin/upstreams/u1", ProxyKit.To(first));
        await gateway.PutAsync("/apisix/admin/services/s1", """{"upstream_id":"u1"}""");
        await gateway.PutRouteAsync("1", """{"uri":"/direct","upstream_id":"u1"}""");
        await gateway.PutRouteAsync("2", """{"uri":"/via-service","service_id":"s1"}""");

        Assert.Equal("first", await gateway.BodyAsync("/direct"));
        Assert.Equal("first", await gateway.BodyAsync("/via-service"));

        await gateway.PutAsync("/apisix/admin/upstreams/u1", ProxyKit.To(second));

        Assert.Equal("second", await gateway.BodyAsync("/direct"));
        Assert.Equal("second", await gateway.BodyAsync("/via-service"));
    }
}

using static MirrorGate.Tests.Routing.RoutingTestRequests;

namespace MirrorGate.Tests.Routing;

public sealed class RouteIndexTests
{
    [Fact]
    public void Match_ExactAndPrefixBothMatch_ExactWins()
    {
        var index = Index(Spec("prefix", """{"uri":"/foo*","priority":10}"""), Spec("exact", """{"uri":"/foo"}"""));

        Assert.Equal("exact", index.Match(Request("/foo")));
        Assert.Equal("prefix", index.Match(Request("/foox")));
    }

    [Fact]
    public void Match_SeveralPrefixes_LongestWins()
    {
        var index = Index(
            Spec("short", """{"uri":"/blog/foo/*"}"""),
            Spec("long", """{"uri":"/blog/foo/a/*"}"""),
            Spec("other", """{"uri":"/blog/foo/c/*"}"""),
            Spec("exact", """{"uri":"/blog/foo/bar"}"""));

        Assert.Equal("exact", index.Match(Request("/blog/foo/bar")));
        Assert.Equal("long", index.Match(Request("/blog/foo/a/b/c")));
        Assert.Equal("other", index.Match(Request("/blog/foo/c/d")));
        Assert.Equal("short", index.Match(Request("/blog/foo/gloo")));
        Assert.Null(index.Match(Request("/blog/bar")));
    }

    [Fact]
    public void Match_SlashStarPrefix_DoesNotMatchBarePath()
    {
        var index = Index(Spec("r", """{"uri":"/foo/*"}"""));

        Assert.Null(index.Match(Request("/foo")));
        Assert.Equal("r", index.Match(Request("/foo/")));
        Assert.Equal("r", index.Match(Request("/foo/x")));
    }

    [Fact]
    public void Match_StarDirectlyAfterText_MatchesBareAndLongerPaths()
    {
        var index = Index(Spec("r", """{"uri":"/blog/bar*"}"""));

        Assert.Equal("r", index.Match(Request("/blog/bar")));
        Assert.Equal("r", index.Match(Request("/blog/barx")));
        Assert.Equal("r", index.Match(Request("/blog/bar/a")));
        Assert.Null(index.Match(Request("/blog/ba")));
    }

    [Fact]
    public void Match_RootStar_MatchesEverything()
    {
        var index = Index(Spec("all", """{"uri":"/*"}"""), Spec("star", """{"uri":"*"}"""));

        Assert.Equal("all", index.Match(Request("/anything/at/all")));
        Assert.Equal("all", index.Match(Request("/")));
    }

    [Fact]
    public void Match_SamePathDifferentPriority_HigherPriorityWins()
    {
        var index = Index(
            Spec("low", """{"uri":"/p*","priority":1}"""),
            Spec("high", """{"uri":"/p*","priority":5}"""),
            Spec("negative", """{"uri":"/p*","priority":-1}"""));

        Assert.Equal("high", index.Match(Request("/p/x")));
    }

    [Fact]
    public void Match_SamePriorityAndPath_LoadOrderWins()
    {
        var index = Index(Spec("first", """{"uri":"/same"}"""), Spec("second", """{"uri":"/same"}"""));

        Assert.Equal("first", index.Match(Request("/same")));
    }

    [Fact]
    public void Match_HighPriorityShorterPrefix_LongerPrefixStillFirst()
    {
        // Priority only orders candidates at one path; the longest prefix is tried first regardless.
        var index = Index(Spec("short", """{"uri":"/a*","priority":100}"""), Spec("long", """{"uri":"/a/b*"}"""));

        Assert.Equal("long", index.Match(Request("/a/b/c")));
    }

    [Fact]
    public void Match_LongestPrefixFailsMethod_FallsBackToShorterPrefix()
    {
        var index = Index(
            Spec("short", """{"uri":"/api/*"}"""),
            Spec("long", """{"uri":"/api/v1/*","methods":["POST"]}"""));

        Assert.Equal("short", index.Match(Request("/api/v1/users", "GET")));
        Assert.Equal("long", index.Match(Request("/api/v1/users", "POST")));
    }

    [Fact]
    public void Match_ExactFailsVars_FallsBackToPrefix()
    {
        var index = Index(
            Spec("prefix", """{"uri":"/x*"}"""),
            Spec("exact", """{"uri":"/x","vars":[["arg_v","==","1"]]}"""));

        Assert.Equal("prefix", index.Match(Request("/x", query: "?v=2")));
        Assert.Equal("exact", index.Match(Request("/x", query: "?v=1")));
    }

    [Fact]
    public void Match_HigherPriorityFailsCondition_NextAtSamePathTried()
    {
        var index = Index(
            Spec("plain", """{"uri":"/p"}"""),
            Spec("guarded", """{"uri":"/p","priority":9,"methods":["DELETE"]}"""));

        Assert.Equal("plain", index.Match(Request("/p", "GET")));
        Assert.Equal("guarded", index.Match(Request("/p", "DELETE")));
    }

    [Fact]
    public void Match_MethodsSet_OnlyListedMethodsMatch()
    {
        var index = Index(Spec("r", """{"uri":"/m","methods":["GET","PUT"]}"""));

        Assert.Equal("r", index.Match(Request("/m", "GET")));
        Assert.Equal("r", index.Match(Request("/m", "PUT")));
        Assert.Null(index.Match(Request("/m", "POST")));
        Assert.Null(index.Match(Request("/m", "BREW")));
    }

    [Fact]
    public void Match_HostBoundAndHostless_HostBoundFirstEvenIfLessSpecific()
    {
        var index = Index(
            Spec("hostless", """{"uri":"/a/b/c"}"""),
            Spec("bound", """{"uri":"/*","host":"api.example.com"}"""));

        Assert.Equal("bound", index.Match(Request("/a/b/c", host: "api.example.com")));
        Assert.Equal("hostless", index.Match(Request("/a/b/c", host: "other.example.com")));
    }

    [Fact]
    public void Match_HostBoundFails_FallsBackToHostless()
    {
        var index = Index(
            Spec("hostless", """{"uri":"/x"}"""),
            Spec("bound", """{"uri":"/x","hosts":["a.com"],"methods":["POST"]}"""));

        Assert.Equal("hostless", index.Match(Request("/x", "GET", host: "a.com")));
    }

    [Fact]
    public void Match_HostWithPortAndUpperCase_ComparedWithoutPortCaseInsensitively()
    {
        var index = Index(Spec("r", """{"uri":"/x","host":"Api.Example.com"}"""));

        Assert.Equal("r", index.Match(Request("/x", host: "API.example.COM:8080")));
        Assert.Null(index.Match(Request("/x")));
    }

    [Fact]
    public void Match_WildcardHost_MatchesSubdomainsOnly()
    {
        var index = Index(Spec("wild", """{"uri":"/x","host":"*.example.com"}"""));

        Assert.Equal("wild", index.Match(Request("/x", host: "a.example.com")));
        Assert.Equal("wild", index.Match(Request("/x", host: "a.b.example.com")));
        Assert.Null(index.Match(Request("/x", host: "example.com")));
        Assert.Null(index.Match(Request("/x", host: "badexample.com")));
    }

    [Fact]
    public void Match_ExactAndWildcardHosts_ExactThenLongestWildcard()
    {
        var index = Index(
            Spec("any", """{"uri":"/x","host":"*"}"""),
            Spec("short", """{"uri":"/x","host":"*.com"}"""),
            Spec("long", """{"uri":"/x","host":"*.example.com"}"""),
            Spec("exact", """{"uri":"/x","host":"a.example.com"}"""));

        Assert.Equal("exact", index.Match(Request("/x", host: "a.example.com")));
        Assert.Equal("long", index.Match(Request("/x", host: "b.example.com")));
        Assert.Equal("short", index.Match(Request("/x", host: "b.other.com")));
        Assert.Equal("any", index.Match(Request("/x", host: "localhost")));
    }

    [Fact]
    public void Match_ExactHostGroupHasNoPath_WildcardGroupTried()
    {
        var index = Index(
            Spec("exact", """{"uri":"/only-here","host":"a.example.com"}"""),
            Spec("wild", """{"uri":"/*","host":"*.example.com"}"""));

        Assert.Equal("wild", index.Match(Request("/other", host: "a.example.com")));
    }

    [Fact]
    public void Match_ServiceHosts_InheritedWhenRouteHasNone()
    {
        var inherits = Spec("inherits", """{"uri":"/s","service_id":"1"}""", """{"hosts":["svc.com"]}""");
        var own = Spec("own", """{"uri":"/s","host":"mine.com","service_id":"1"}""", """{"hosts":["svc.com"]}""");
        var index = Index(inherits, own);

        Assert.Equal(["svc.com"], inherits.Hosts);
        Assert.Equal(["mine.com"], own.Hosts);
        Assert.Equal("inherits", index.Match(Request("/s", host: "svc.com")));
        Assert.Equal("own", index.Match(Request("/s", host: "mine.com")));
        Assert.Null(index.Match(Request("/s", host: "else.com")));
    }

    [Fact]
    public void Match_RemoteAddrsIpv4Cidr_OnlyClientsInRange()
    {
        var index = Index(Spec("r", """{"uri":"/ip","remote_addrs":["10.1.0.0/16","192.168.1.7"]}"""));

        Assert.Equal("r", index.Match(Request("/ip", remoteIp: "10.1.200.3")));
        Assert.Equal("r", index.Match(Request("/ip", remoteIp: "192.168.1.7")));
        Assert.Equal("r", index.Match(Request("/ip", remoteIp: "::ffff:10.1.0.1")));
        Assert.Null(index.Match(Request("/ip", remoteIp: "10.2.0.1")));
        Assert.Null(index.Match(Request("/ip", remoteIp: "192.168.1.8")));
        Assert.Null(index.Match(Request("/ip", remoteIp: null)));
    }

    [Fact]
    public void Match_RemoteAddrIpv6Cidr_OnlyClientsInRange()
    {
        var index = Index(Spec("r", """{"uri":"/ip","remote_addr":"2001:db8::/32"}"""));

        Assert.Equal("r", index.Match(Request("/ip", remoteIp: "2001:db8:1::5")));
        Assert.Null(index.Match(Request("/ip", remoteIp: "2001:db9::5")));
        Assert.Null(index.Match(Request("/ip", remoteIp: "10.0.0.1")));
    }

    [Fact]
    public void Match_RemoteAddrWithHostBits_MaskedLikeApisix()
    {
        var index = Index(Spec("r", """{"uri":"/ip","remote_addr":"192.168.1.5/24"}"""));

        Assert.Equal("r", index.Match(Request("/ip", remoteIp: "192.168.1.200")));
    }

    [Fact]
    public void Match_DisabledRoute_LeftOut()
    {
        var index = Index(Spec("off", """{"uri":"/d","status":0}"""), Spec("on", """{"uri":"/d*"}"""));

        Assert.Equal("on", index.Match(Request("/d")));
    }

    [Fact]
    public void Match_Uris_AnyOfThemMatches()
    {
        var index = Index(Spec("r", """{"uris":["/one","/two/*"]}"""));

        Assert.Equal("r", index.Match(Request("/one")));
        Assert.Equal("r", index.Match(Request("/two/x")));
        Assert.Null(index.Match(Request("/three")));
    }

    [Fact]
    public void Match_MiddleStarSegment_WholePathGlobChecked()
    {
        var index = Index(Spec("glob", """{"uri":"/a/*/end"}"""));

        Assert.Equal("glob", index.Match(Request("/a/x/y/end")));
        Assert.Null(index.Match(Request("/a/x/other")));
        Assert.Null(index.Match(Request("/a/x/end\n")));
    }

    [Fact]
    public void Match_NothingMatches_ReturnsNull()
    {
        var index = Index(Spec("r", """{"uri":"/exists"}"""), Spec("h", """{"uri":"/*","host":"h.com"}"""));

        Assert.Null(index.Match(Request("/missing")));
        Assert.Null(RoutingTestRequests.Index().Match(Request("/")));
    }

    [Fact]
    public void Match_EmptyPath_TreatedAsRoot()
    {
        var index = Index(Spec("root", """{"uri":"/"}"""));

        Assert.Equal("root", index.Match(Request("")));
    }
}

using MirrorGate.Plugins.GrpcWeb;

namespace MirrorGate.Tests.Plugins.GrpcWeb;

public sealed class GrpcMethodPathTests
{
    [Theory]
    [InlineData("/grpc/web/*", "/grpc/web/a6.RouteService/GetRoute", "/a6.RouteService/GetRoute")]
    [InlineData("/grpc/*", "/grpc/web/a6.RouteService/GetRoute", "/web/a6.RouteService/GetRoute")]
    [InlineData("/*", "/helloworld.Greeter/SayHello", "/helloworld.Greeter/SayHello")]
    [InlineData("/a/*/b", "/a/pkg.S/M/b", "/pkg.S/M")]
    public void For_BareStarSegment_WhatItMatched(string uri, string path, string expected)
        => Assert.Equal(expected, new GrpcMethodPath().For(uri, path));

    [Theory]
    [InlineData("/grpc/web/a6.RouteService/GetRoute", "/grpc/web/a6.RouteService/GetRoute")] // exact route (APISIX 3.15+)
    [InlineData("/grpc/web*", "/grpc/web/a6.RouteService/GetRoute")]                        // "web*" is no wildcard segment
    [InlineData("/grpc/*name", "/grpc/a6.RouteService/GetRoute")]                           // a named one is not :ext
    [InlineData("/grpc/web/*", "/grpc/web/")]                                               // matched nothing
    public void For_NoExt_PathKept(string uri, string path)
        => Assert.Null(new GrpcMethodPath().For(uri, path));

    [Fact]
    public void For_SameUriTwice_SameAnswer()
    {
        var paths = new GrpcMethodPath();
        Assert.Equal("/x.S/A", paths.For("/g/*", "/g/x.S/A"));
        Assert.Equal("/x.S/B", paths.For("/g/*", "/g/x.S/B"));
    }
}

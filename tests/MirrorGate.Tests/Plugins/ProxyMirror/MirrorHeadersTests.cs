using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Mirroring;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

/// <summary>The headers a copy carries on either lane.</summary>
public sealed class MirrorHeadersTests
{
    private static readonly MirrorMarker Marker = new("node-1");

    private static ProxyContext Context(params (string Name, string Value)[] headers)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/";
        http.Request.Host = new HostString("example.test");
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        foreach (var (name, value) in headers)
        {
            http.Request.Headers.Append(name, value);
        }

        return new ProxyContext(http, new RouteModel { Id = "r", Config = new JsonObject(), Plugins = PluginChain.Empty });
    }

    private static string[] Names(KeyValuePair<string, string[]>[] headers) => [.. headers.Select(h => h.Key)];

    [Fact]
    public void Freeze_HeadersNamedInConnection_LeftOut()
    {
        var headers = MirrorHeaders.Freeze(Context(("Connection", "X-Secret, x-other"), ("X-Secret", "s"), ("X-Other", "o"), ("X-Kept", "k")), isGrpc: false, Marker);

        Assert.Contains("X-Kept", Names(headers));
        Assert.DoesNotContain("X-Secret", Names(headers), StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Other", Names(headers), StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("Connection", Names(headers), StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("HTTP2-Settings")]
    [InlineData("Upgrade-Insecure-Requests")]
    [InlineData("Proxy-Features")]
    [InlineData("Alt-Svc")]
    [InlineData("Keep-Alive")]
    public void Freeze_HeadersTheForwarderNeverSends_LeftOut(string name)
    {
        var headers = MirrorHeaders.Freeze(Context((name, "1"), ("X-Kept", "k")), isGrpc: false, Marker);

        Assert.DoesNotContain(name, Names(headers), StringComparer.OrdinalIgnoreCase);
        Assert.Contains("X-Kept", Names(headers));
    }

    [Fact]
    public void Freeze_ConnectionNamesForwardedHeader_GatewayValueStillSent()
    {
        var headers = MirrorHeaders.Freeze(Context(("Connection", "X-Forwarded-For, X-Real-IP")), isGrpc: false, Marker);

        Assert.Equal(["127.0.0.1"], headers.Single(h => h.Key == ForwardedHeaders.XForwardedFor).Value);
        Assert.Equal(["127.0.0.1"], headers.Single(h => h.Key == ForwardedHeaders.XRealIp).Value);
    }

    [Fact]
    public void Freeze_ClientSentMarker_OnlyNodesMarkerSent()
    {
        var headers = MirrorHeaders.Freeze(Context((MirrorMarker.DefaultHeaderName, "forged")), isGrpc: true, Marker);

        var marker = Assert.Single(headers, h => Marker.IsMarker(h.Key));
        Assert.Equal(["node-1"], marker.Value);
    }
}

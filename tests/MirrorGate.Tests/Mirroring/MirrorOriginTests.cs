using System.Net;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>The plugin's <c>host</c> parsed once: what is accepted, in what canonical form, and what is refused.</summary>
public sealed class MirrorOriginTests
{
    [Theory]
    [InlineData("http://127.0.0.1:1986", "http", false, "127.0.0.1", 1986, "http://127.0.0.1:1986")]
    [InlineData("http://127.0.0.1", "http", false, "127.0.0.1", 80, "http://127.0.0.1")]
    [InlineData("https://mirror.internal", "https", false, "mirror.internal", 443, "https://mirror.internal")]
    [InlineData("http://Mirror.Internal:8081", "http", false, "mirror.internal", 8081, "http://mirror.internal:8081")]
    [InlineData("http://[::1]:202", "http", false, "::1", 202, "http://[::1]:202")]
    [InlineData("https://[0:0::1]", "https", false, "::1", 443, "https://[::1]")]
    [InlineData("grpc://127.0.0.1:50051", "http", true, "127.0.0.1", 50051, "http://127.0.0.1:50051")]
    [InlineData("grpcs://a", "https", true, "a", 443, "https://a")]
    [InlineData("http://a:0080", "http", false, "a", 80, "http://a:80")]
    [InlineData("http://a:65535", "http", false, "a", 65535, "http://a:65535")]
    [InlineData("http://0.0.0.0:1", "http", false, "0.0.0.0", 1, "http://0.0.0.0:1")]
    public void TryParse_ValidHost_SchemeHostPortAndCanonicalBase(string host, string scheme, bool isGrpc, string name, int port, string baseUri)
    {
        Assert.True(MirrorOrigin.TryParse(host, out var origin, out var error), error);

        Assert.Equal(scheme, origin!.Scheme);
        Assert.Equal(isGrpc, origin.IsGrpc);
        Assert.Equal(name, origin.Host);
        Assert.Equal(port, origin.Port);
        Assert.Equal(baseUri, origin.BaseUri);
        Assert.True(Uri.TryCreate(origin.BaseUri, UriKind.Absolute, out _));
    }

    [Fact]
    public void TryParse_LiteralAddress_AddressKept()
    {
        Assert.True(MirrorOrigin.TryParse("http://[::1]:8081", out var v6, out _));
        Assert.True(MirrorOrigin.TryParse("http://10.1.2.3", out var v4, out _));
        Assert.True(MirrorOrigin.TryParse("http://backend", out var name, out _));

        Assert.Equal(IPAddress.IPv6Loopback, v6!.Address);
        Assert.Equal(IPAddress.Parse("10.1.2.3"), v4!.Address);
        Assert.Null(name!.Address);
    }

    [Theory]
    // Pass APISIX's pattern, but .NET cannot connect to them (a copy would make the route answer 500).
    [InlineData("http://127.0.0.1:99999", "port 99999 is not between 1 and 65535")]
    [InlineData("http://127.0.0.1:0", "port 0 is not between 1 and 65535")]
    [InlineData("http://a:9999999999999999999999", "port 9999999999999999999999 is not between 1 and 65535")]
    [InlineData("http://..:8081", "\"..\" is not a valid host name")]
    [InlineData("http://a..b", "\"a..b\" is not a valid host name")]
    [InlineData("http://.a", "\".a\" is not a valid host name")]
    [InlineData("http://[:::::]:8081", "\"[:::::]\" is not a valid IPv6 address")]
    [InlineData("http://[::1", "\"[::1\" is not a valid IPv6 address")]
    public void TryParse_HostNoConnectionCanBeMadeTo_RefusedWithReason(string host, string expected)
    {
        Assert.False(MirrorOrigin.TryParse(host, out var origin, out var error));

        Assert.Null(origin);
        Assert.Equal(expected, error);
    }

    [Theory]
    // Resolvers read these as 127.0.0.1 (or as nothing): only the dotted quad names its address plainly.
    [InlineData("http://127.1")]
    [InlineData("http://2130706433:9180")]
    [InlineData("http://0x7f.0.0.1")]
    [InlineData("http://0x7f000001")]
    [InlineData("http://127.0.0.01")]
    [InlineData("http://999.1.1.1")]
    [InlineData("http://1.2.3.4.5")]
    public void TryParse_NumericHostNotDottedQuad_Refused(string host)
    {
        Assert.False(MirrorOrigin.TryParse(host, out _, out var error));

        Assert.Contains("is not an IPv4 address in dotted-quad form", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1")]
    [InlineData("127.0.0.1:80")]
    public void TryParse_NoKnownScheme_Refused(string host)
        => Assert.False(MirrorOrigin.TryParse(host, out _, out _));
}

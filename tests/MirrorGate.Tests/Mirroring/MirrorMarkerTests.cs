using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Configuration;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

public sealed class MirrorMarkerTests
{
    private static ProxyMirrorSettings Read(string pluginAttrJson) => ProxyMirrorSettings.FromPluginAttr((JsonObject)JsonNode.Parse(pluginAttrJson)!);

    [Fact]
    public void FromPluginAttr_NoMarkerHeader_TheDefault()
        => Assert.Equal("X-MirrorGate-Mirror", Read("""{"proxy-mirror":{}}""").MarkerHeader);

    [Fact]
    public void FromPluginAttr_MarkerHeader_Read()
        => Assert.Equal("X-Shadow-Of", Read("""{"proxy-mirror":{"marker_header":"X-Shadow-Of"}}""").MarkerHeader);

    [Theory]
    [InlineData("X Shadow", "not a valid header name (RFC 9110 token)")]
    [InlineData("", "not a valid header name (RFC 9110 token)")]
    [InlineData("Connection", "a hop-by-hop header cannot be the marker (it does not reach the next hop)")]
    [InlineData("te", "a hop-by-hop header cannot be the marker (it does not reach the next hop)")]
    [InlineData("Host", "a well-known header cannot be the marker (ordinary requests carry it)")]
    [InlineData("x-forwarded-for", "a well-known header cannot be the marker (ordinary requests carry it)")]
    [InlineData("Authorization", "a well-known header cannot be the marker (ordinary requests carry it)")]
    public void FromPluginAttr_BadMarkerHeader_RefusedNamingTheKey(string name, string problem)
    {
        var error = Assert.Throws<ConfigException>(() => Read($$$"""{"proxy-mirror":{"marker_header":"{{{name}}}"}}"""));
        Assert.Equal($"plugin_attr.proxy-mirror.marker_header: \"{name}\" cannot name the mirror marker: {problem}", error.Message);
    }

    [Theory]
    [InlineData("X-Shadow-Of", true)]
    [InlineData("x-mirrorgate-mirror", true)] // the default name stays a marker
    [InlineData("X-Other", false)]
    public void IsOn_RenamedMarker_ConfiguredAndDefaultNamesBothCount(string header, bool isCopy)
    {
        var marker = new MirrorMarker("node-1", "X-Shadow-Of");
        var headers = new HeaderDictionary { [header] = "n" };

        Assert.Equal(isCopy, marker.IsOn(headers));
        Assert.Equal(isCopy, marker.IsMarker(header));
        Assert.Equal(new KeyValuePair<string, string[]>("X-Shadow-Of", ["node-1"]), marker.Header);
    }

    [Fact]
    public void Names_Renamed_NamesBoth()
    {
        Assert.Equal("X-Shadow-Of or X-MirrorGate-Mirror", new MirrorMarker("n", "X-Shadow-Of").Names);
        Assert.Equal("X-MirrorGate-Mirror", new MirrorMarker("n").Names);
    }
}

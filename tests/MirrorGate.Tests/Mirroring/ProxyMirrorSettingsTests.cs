using System.Text.Json.Nodes;
using MirrorGate.Configuration;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

public sealed class ProxyMirrorSettingsTests
{
    private static ProxyMirrorSettings Read(string pluginAttrJson) => ProxyMirrorSettings.FromPluginAttr((JsonObject)JsonNode.Parse(pluginAttrJson)!);

    [Fact]
    public void FromPluginAttr_NoPipelineDepth_Sixteen()
    {
        Assert.Equal(16, ProxyMirrorSettings.Default.PipelineDepth);
        Assert.Equal(16, Read("""{"proxy-mirror":{"queue_size":10}}""").PipelineDepth);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("16", 16)]
    [InlineData("1024", 1024)]
    [InlineData("\"32\"", 32)]
    public void FromPluginAttr_PipelineDepthInRange_Read(string value, int expected)
        => Assert.Equal(expected, Read($$$"""{"proxy-mirror":{"pipeline_depth":{{{value}}}}}""").PipelineDepth);

    [Theory]
    [InlineData("0", "0")]
    [InlineData("-1", "-1")]
    [InlineData("1025", "1025")]
    [InlineData("1.5", "1.5")]
    [InlineData("\"x\"", "x")]
    [InlineData("true", "true")]
    public void FromPluginAttr_PipelineDepthOutOfRangeOrNotInteger_ThrowsNamingTheKey(string value, string shown)
    {
        var ex = Assert.Throws<ConfigException>(() => Read($$$"""{"proxy-mirror":{"pipeline_depth":{{{value}}}}}"""));

        Assert.Equal($"plugin_attr.proxy-mirror.pipeline_depth: expected an integer between 1 and 1024, got \"{shown}\"", ex.Message);
    }
}

using System.Text.Json.Nodes;
using MirrorGate.Configuration;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class CompareSettingsTests
{
    private static ProxyMirrorSettings Read(string json) => ProxyMirrorSettings.FromPluginAttr((JsonObject)JsonNode.Parse(json)!);

    [Fact]
    public void FromPluginAttr_Nothing_64MiBAndNoLog()
    {
        Assert.Equal(64L * 1024 * 1024, ProxyMirrorSettings.Default.CompareMaxBytes);
        Assert.Null(ProxyMirrorSettings.Default.CompareLog);
    }

    [Fact]
    public void FromPluginAttr_CompareKeys_Read()
    {
        var settings = Read("""{"proxy-mirror":{"compare_max_bytes":"8m","compare_log":"logs/mismatches.jsonl"}}""");
        Assert.Equal(8L * 1024 * 1024, settings.CompareMaxBytes);
        Assert.Equal("logs/mismatches.jsonl", settings.CompareLog);
    }

    [Theory]
    [InlineData("""{"proxy-mirror":{"compare_max_bytes":"lots"}}""", "plugin_attr.proxy-mirror.compare_max_bytes: expected a size such as 10m, 512k or a number of bytes, got \"lots\"")]
    [InlineData("""{"proxy-mirror":{"compare_log":""}}""", "plugin_attr.proxy-mirror.compare_log: expected the path of a file, got \"\"")]
    [InlineData("""{"proxy-mirror":{"compare_log":5}}""", "plugin_attr.proxy-mirror.compare_log: expected the path of a file, got \"5\"")]
    public void FromPluginAttr_Bad_NamesTheKey(string json, string message)
    {
        Assert.Equal(message, Assert.Throws<ConfigException>(() => Read(json)).Message);
    }
}

using MirrorGate.Configuration;
using MirrorGate.Pipeline;
using MirrorGate.Plugins;
using MirrorGate.Plugins.ProxyMirror;

namespace MirrorGate.Tests.Pipeline;

public sealed class PluginRegistryTests
{
    private static IGatewayPlugin[] BuiltIn() => [new ProxyMirrorPlugin(new ReservedListeners([], "test-host", new HashSet<System.Net.IPAddress>()))];

    [Fact]
    public void Constructor_ApisixPluginsNotBuilt_IgnoredAndListedOnce()
    {
        var registry = new PluginRegistry(BuiltIn(), ["key-auth", "proxy-mirror", "prometheus", "key-auth"]);

        Assert.Equal(["proxy-mirror"], registry.Enabled.Select(p => p.Name));
        Assert.Equal(["key-auth", "prometheus"], registry.ApisixNotBuilt);
        Assert.Null(registry.SchemaFor("key-auth"));
    }

    [Fact]
    public void Constructor_NameNoApisixPluginHas_StopsStartUp()
    {
        var error = Assert.Throws<ConfigException>(() => new PluginRegistry(BuiltIn(), ["proxy-mirror", "key-auht"]));

        Assert.StartsWith("plugins: unknown plugin 'key-auht': not an APISIX plugin", error.Message);
    }

    [Fact]
    public void Catalog_ApisixDefaultList_HasEveryPluginWithItsPriority()
    {
        Assert.Equal(120, ApisixPluginCatalog.All.Count);
        Assert.Contains(new ApisixPlugin("proxy-mirror", 1010, EnabledByDefault: true), ApisixPluginCatalog.All);
        Assert.Contains(new ApisixPlugin("proxy-rewrite", 1008, EnabledByDefault: true), ApisixPluginCatalog.All);
        Assert.Contains(new ApisixPlugin("log-rotate", 100, EnabledByDefault: false), ApisixPluginCatalog.All);
        Assert.False(ApisixPluginCatalog.IsNotBuiltHere("proxy-mirror"));
        Assert.False(ApisixPluginCatalog.IsNotBuiltHere("key-auth"));
        Assert.True(ApisixPluginCatalog.IsNotBuiltHere("basic-auth"));
    }
}

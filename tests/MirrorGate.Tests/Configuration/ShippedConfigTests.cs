using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

/// <summary>The files in conf/ load, and the example documents only keys the loader knows.</summary>
public sealed class ShippedConfigTests
{
    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MirrorGate.slnx")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new InvalidOperationException("repository root (MirrorGate.slnx) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Load_ConfConfigYaml_IsMinimalSecureDefault()
    {
        var (config, warnings) = NodeConfigLoader.Load(RepoFile("conf/config.yaml"));

        Assert.Empty(warnings);
        Assert.Equal([new ListenEndpoint("0.0.0.0", 9080, false)], config.NodeListen);
        Assert.Equal(ConfigProvider.Sqlite, config.Deployment.ConfigProvider);
        Assert.Equal(new ListenAddress("127.0.0.1", 9180), config.Deployment.Admin.Listen);
        Assert.Equal([new AdminKeyConfig("admin", "", AdminRole.Admin)], config.Deployment.Admin.Keys);
    }

    [Fact]
    public void Load_ConfigYamlExample_HasNoUnknownKeysAndDocumentsMirrorSettings()
    {
        var (config, warnings) = NodeConfigLoader.Load(RepoFile("conf/config.yaml.example"));

        Assert.Empty(warnings);
        var mirror = config.GetPluginAttr("proxy-mirror")!;
        Assert.Equal("60s", (string?)mirror["timeout"]!["connect"]);
        Assert.Equal("60s", (string?)mirror["timeout"]!["read"]);
        Assert.Equal("60s", (string?)mirror["timeout"]!["send"]);
        Assert.Equal("10m", (string?)mirror["max_body_size"]);
        Assert.Equal(4096, (int)mirror["queue_size"]!);
        Assert.Equal(256, (int)mirror["concurrency"]!);
        Assert.False((bool)mirror["verify_tls"]!);
        Assert.Equal(new ListenAddress("127.0.0.1", 9091), config.PrometheusExportAddr);
    }
}

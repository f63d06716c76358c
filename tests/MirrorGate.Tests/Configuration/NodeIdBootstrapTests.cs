using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

public sealed class NodeIdBootstrapTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mirrorgate-node-id-" + Guid.NewGuid().ToString("N"));

    private string IdFile => Path.Combine(_directory, "data", NodeIdBootstrap.FileName);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private NodeConfig Config(string apisixYaml = "")
        => NodeConfigLoader.LoadFromText($"{apisixYaml}\ndeployment: {{sqlite: {{path: {Path.Combine(_directory, "data", "mirrorgate.db")}}}}}\n", "config.yaml").Config;

    [Fact]
    public void Resolve_ApisixIdSet_UsedAndNoFileWritten()
    {
        var result = NodeIdBootstrap.Resolve(Config("apisix: {id: gateway-eu-1}"));

        Assert.Equal(new NodeIdResult("gateway-eu-1", null, false), result);
        Assert.False(File.Exists(IdFile));
    }

    [Fact]
    public void Resolve_NoApisixId_GeneratesUuidBesideDatabase()
    {
        var result = NodeIdBootstrap.Resolve(Config());

        Assert.True(Guid.TryParse(result.Id, out _));
        Assert.True(result.Generated);
        Assert.Equal(IdFile, result.FilePath);
        Assert.Equal(result.Id, File.ReadAllText(IdFile).Trim());
    }

    [Fact]
    public void Resolve_SecondStart_ReusesSavedId()
    {
        var first = NodeIdBootstrap.Resolve(Config());

        var second = NodeIdBootstrap.Resolve(Config());

        Assert.False(second.Generated);
        Assert.Equal(first.Id, second.Id);
    }

    [Fact]
    public void Resolve_SavedIdNotHeaderSafe_ThrowsNamingFile()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(IdFile)!);
        File.WriteAllText(IdFile, "two words\n");

        var ex = Assert.Throws<ConfigException>(() => NodeIdBootstrap.Resolve(Config()));

        Assert.Contains(IdFile, ex.Message, StringComparison.Ordinal);
    }
}

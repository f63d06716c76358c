using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

public sealed class AdminKeyBootstrapTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mirrorgate-keys-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "data", "mirrorgate.db");

    private string KeyFile => Path.Combine(_directory, "data", "admin_key");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static AdminConfig Admin(params AdminKeyConfig[] keys) =>
        new(keys, true, new ListenAddress("127.0.0.1", 9180), null);

    [Fact]
    public void Apply_EmptyAdminKey_GeneratesLettersAndPersists()
    {
        var result = AdminKeyBootstrap.Apply(Admin(new AdminKeyConfig("admin", "", AdminRole.Admin)), DatabasePath);

        var key = Assert.Single(result.Keys).Key;
        Assert.Matches("^[A-Za-z]{32}$", key);
        Assert.True(result.Generated);
        Assert.Equal(KeyFile, result.KeyFilePath);
        Assert.Equal(key, File.ReadAllText(KeyFile).Trim());
    }

    [Fact]
    public void Apply_EmptyAdminKey_FileIsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only
        }

        AdminKeyBootstrap.Apply(Admin(new AdminKeyConfig("admin", "", AdminRole.Admin)), DatabasePath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public void Apply_SecondStart_ReusesPersistedKey()
    {
        var admin = Admin(new AdminKeyConfig("admin", "", AdminRole.Admin));
        var first = AdminKeyBootstrap.Apply(admin, DatabasePath);

        var second = AdminKeyBootstrap.Apply(admin, DatabasePath);

        Assert.False(second.Generated);
        Assert.Equal(first.Keys[0].Key, second.Keys[0].Key);
        Assert.Equal(KeyFile, second.KeyFilePath);
    }

    [Fact]
    public void Apply_LooseFileMode_IsTightened()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only
        }

        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "abcdefghijklmnopqrstuvwxyzABCDEF\n");
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        var result = AdminKeyBootstrap.Apply(Admin(new AdminKeyConfig("admin", "", AdminRole.Admin)), DatabasePath);

        Assert.Equal("abcdefghijklmnopqrstuvwxyzABCDEF", result.Keys[0].Key);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
    }

    [Fact]
    public void Apply_EmptyKeyFile_GeneratesNewKey()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyFile)!);
        File.WriteAllText(KeyFile, "  \n");

        var result = AdminKeyBootstrap.Apply(Admin(new AdminKeyConfig("admin", "", AdminRole.Admin)), DatabasePath);

        Assert.True(result.Generated);
        Assert.Equal(result.Keys[0].Key, File.ReadAllText(KeyFile).Trim());
    }

    [Fact]
    public void Apply_ConfiguredKeys_UsedAsIsWithoutFile()
    {
        var admin = Admin(new AdminKeyConfig("admin", "edd1c9f034335f136f87ad84b625c8f1", AdminRole.Admin), new AdminKeyConfig("v", "viewer-key", AdminRole.Viewer));

        var result = AdminKeyBootstrap.Apply(admin, DatabasePath);

        Assert.Same(admin.Keys, result.Keys);
        Assert.Null(result.KeyFilePath);
        Assert.False(result.Generated);
        Assert.False(Directory.Exists(_directory));
    }

    [Fact]
    public void Apply_MixedKeys_OnlyEmptyAdminKeyFilled()
    {
        var admin = Admin(new AdminKeyConfig("fixed", "k1", AdminRole.Admin), new AdminKeyConfig("gen", "", AdminRole.Admin), new AdminKeyConfig("v", "k2", AdminRole.Viewer));

        var result = AdminKeyBootstrap.Apply(admin, DatabasePath);

        Assert.Equal("k1", result.Keys[0].Key);
        Assert.Matches("^[A-Za-z]{32}$", result.Keys[1].Key);
        Assert.Equal(("v", "k2"), (result.Keys[2].Name, result.Keys[2].Key));
    }

    [Fact]
    public void Apply_NodeConfig_ReturnsConfigWithKeys()
    {
        var (loaded, _) = NodeConfigLoader.LoadFromText($"deployment: {{sqlite: {{path: \"{DatabasePath}\"}}}}", "config.yaml");

        var (config, result) = AdminKeyBootstrap.Apply(loaded);

        Assert.Equal(result.Keys, config.Deployment.Admin.Keys);
        Assert.Matches("^[A-Za-z]{32}$", config.Deployment.Admin.Keys[0].Key);
        Assert.Equal(loaded.NodeListen, config.NodeListen);
    }

    [Fact]
    public void GenerateKey_ManyCalls_AreDistinct()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => AdminKeyBootstrap.GenerateKey()).ToHashSet();

        Assert.Equal(100, keys.Count);
    }
}

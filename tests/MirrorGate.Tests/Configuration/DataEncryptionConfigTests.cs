using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

public sealed class DataEncryptionConfigTests
{
    private static DataEncryptionConfig Load(string yaml) => NodeConfigLoader.LoadFromText(yaml, "config.yaml").Config.DataEncryption;

    [Fact]
    public void Absent_ApisixDefaults()
    {
        var config = Load("");

        Assert.True(config.EnableEncryptFields);
        Assert.Equal(["qeddd145sfvddff3", "edd1c9f0985e76a2"], config.Keyring);
    }

    [Fact]
    public void OneKeyOrList_Read_NoWarning()
    {
        var (config, warnings) = NodeConfigLoader.LoadFromText("apisix:\n  data_encryption: {enable_encrypt_fields: false, keyring: 0123456789abcdef0123456789abcdef}\n", "config.yaml");

        Assert.False(config.DataEncryption.EnableEncryptFields);
        Assert.Equal(["0123456789abcdef0123456789abcdef"], config.DataEncryption.Keyring);
        Assert.DoesNotContain(warnings, w => w.Contains("data_encryption", StringComparison.Ordinal));
        Assert.Equal(["new-key-16-bytes", "edd1c9f0985e76a2"], Load("apisix:\n  data_encryption:\n    keyring: [new-key-16-bytes, edd1c9f0985e76a2]\n").Keyring);
    }

    [Theory]
    [InlineData("keyring: short", "apisix.data_encryption.keyring")]
    [InlineData("keyring: [qeddd145sfvddff3, seventeen-bytes!!]", "apisix.data_encryption.keyring[1]")]
    [InlineData("keyring: []", "apisix.data_encryption.keyring")]
    [InlineData("enable_encrypt_fields: 1", "apisix.data_encryption.enable_encrypt_fields")]
    [InlineData("keyrings: [qeddd145sfvddff3]", "apisix.data_encryption.keyrings")]
    public void Invalid_StopsTheLoad_NamingTheKey(string entry, string keyPath)
    {
        var error = Assert.Throws<ConfigException>(() => Load($"apisix:\n  data_encryption: {{{entry}}}\n"));

        Assert.Contains(keyPath, error.Message, StringComparison.Ordinal);
    }
}

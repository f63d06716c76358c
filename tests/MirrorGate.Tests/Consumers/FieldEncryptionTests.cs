using MirrorGate.Configuration;
using MirrorGate.Consumers;

namespace MirrorGate.Tests.Consumers;

/// <summary>The values APISIX's own tests store (t/admin/consumers.t TEST 2, t/node/data_encrypt.t TEST 1).</summary>
public sealed class FieldEncryptionTests
{
    [Theory]
    [InlineData("qeddd145sfvddff3", "auth-one", "4y+JvURBE6ZwRbbgaryrhg==")]
    [InlineData("edd1c9f0985e76a2", "bar", "77+NmbYqNfN+oLm0aX5akg==")]
    public void Encrypt_ApisixKey_ApisixBytes(string key, string plain, string stored)
    {
        var encryption = new FieldEncryption(new DataEncryptionConfig(true, [key]));

        Assert.Equal(stored, encryption.Encrypt(plain));
        Assert.True(encryption.TryDecrypt(stored, out var back));
        Assert.Equal(plain, back);
    }

    [Fact]
    public void TryDecrypt_OlderKeyLowerInKeyring_Decrypts_NewValuesUseFirstKey()
    {
        var encryption = new FieldEncryption(DataEncryptionConfig.Default);

        Assert.True(encryption.TryDecrypt("77+NmbYqNfN+oLm0aX5akg==", out var plain));
        Assert.Equal("bar", plain);
        Assert.Equal("4y+JvURBE6ZwRbbgaryrhg==", encryption.Encrypt("auth-one"));
    }

    [Fact]
    public void Aes256_RoundTrips()
    {
        var encryption = new FieldEncryption(new DataEncryptionConfig(true, ["0123456789abcdef0123456789abcdef"]));

        var stored = encryption.Encrypt("a longer secret than one block of sixteen bytes");

        Assert.True(encryption.TryDecrypt(stored, out var plain));
        Assert.Equal("a longer secret than one block of sixteen bytes", plain);
    }

    [Theory]
    [InlineData("auth-one")]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    public void TryDecrypt_NotEncrypted_FalseAndValueKept(string stored)
    {
        var encryption = new FieldEncryption(DataEncryptionConfig.Default);

        Assert.False(encryption.TryDecrypt(stored, out var plain));
        Assert.Equal(stored, plain);
    }

    [Fact]
    public void Disabled_StoresAndReadsAsIs()
    {
        var encryption = new FieldEncryption(DataEncryptionConfig.Default with { EnableEncryptFields = false });

        Assert.False(encryption.Enabled);
        Assert.Equal("auth-one", encryption.Encrypt("auth-one"));
        Assert.False(encryption.TryDecrypt("4y+JvURBE6ZwRbbgaryrhg==", out var plain));
        Assert.Equal("4y+JvURBE6ZwRbbgaryrhg==", plain);
    }
}

using System.Security.Cryptography;
using System.Text;
using MirrorGate.Configuration;

namespace MirrorGate.Consumers;

/// <summary>
/// APISIX's <c>data_encryption</c> for plugin fields marked secret: AES-CBC with each keyring key
/// as both key and IV (16 bytes: AES-128, 32: AES-256, whose IV is the key's first 16 bytes, as
/// OpenSSL reads it), PKCS#7 padding, standard base64. The same
/// bytes as APISIX for the same key, so an etcd shared with APISIX reads the same either way.
/// Thread-safe: each call makes its own transform.
/// </summary>
internal sealed class FieldEncryption
{
    private readonly byte[][] _keys;

    public FieldEncryption(DataEncryptionConfig config)
    {
        Enabled = config.EnableEncryptFields && config.Keyring.Count > 0;
        _keys = config.Keyring.Select(k => Encoding.UTF8.GetBytes(k)).ToArray();
    }

    /// <summary>Off when <c>enable_encrypt_fields</c> is false: values are stored and read as they are.</summary>
    public bool Enabled { get; }

    /// <summary>The stored form of <paramref name="plain"/>: encrypted with the first key, or unchanged when disabled.</summary>
    public string Encrypt(string plain)
    {
        if (!Enabled)
        {
            return plain;
        }

        using var aes = Create(_keys[0]);
        return Convert.ToBase64String(aes.EncryptCbc(Encoding.UTF8.GetBytes(plain), Iv(_keys[0]), PaddingMode.PKCS7));
    }

    /// <summary>
    /// The plain value of a stored one, trying every key. A value that is not base64 or that no key
    /// decrypts is taken as it is (APISIX does the same: a field stored before encryption was on, or
    /// by a writer without it, stays usable); false tells the caller so.
    /// </summary>
    public bool TryDecrypt(string stored, out string plain)
    {
        plain = stored;
        if (!Enabled || stored.Length == 0 || stored.Length % 4 != 0)
        {
            return false;
        }

        var cipher = new byte[stored.Length / 4 * 3];
        if (!Convert.TryFromBase64String(stored, cipher, out var length) || length == 0 || length % 16 != 0)
        {
            return false;
        }

        foreach (var key in _keys)
        {
            using var aes = Create(key);
            try
            {
                var bytes = aes.DecryptCbc(cipher.AsSpan(0, length), Iv(key), PaddingMode.PKCS7);
                plain = Encoding.UTF8.GetString(bytes);
                return true;
            }
            catch (CryptographicException)
            {
                // Wrong key (bad padding): try the next one.
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> Iv(byte[] key) => key.AsSpan(0, 16);

    private static Aes Create(byte[] key)
    {
        var aes = Aes.Create();
        aes.Key = key;
        return aes;
    }
}

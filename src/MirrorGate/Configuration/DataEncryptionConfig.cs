using System.Text;
using System.Text.Json.Nodes;

namespace MirrorGate.Configuration;

/// <summary>
/// <c>apisix.data_encryption</c>: whether the fields a plugin marks secret (key-auth's consumer
/// <c>key</c>) are stored encrypted, and the keys that do it. The defaults are APISIX's own, so a
/// node sharing an etcd with an APISIX left at its defaults reads and writes the same values.
/// </summary>
/// <param name="EnableEncryptFields"><c>enable_encrypt_fields</c>; default true, as APISIX.</param>
/// <param name="Keyring">
/// <c>keyring</c>: a key of 16 bytes (AES-128-CBC) or 32 bytes (AES-256-CBC), or a list of them.
/// The first encrypts; every one is tried to decrypt, so a new key goes first and the old ones stay
/// below it until everything was written again. Default APISIX's two keys.
/// </param>
internal sealed record DataEncryptionConfig(bool EnableEncryptFields, IReadOnlyList<string> Keyring)
{
    public static readonly DataEncryptionConfig Default = new(true, ["qeddd145sfvddff3", "edd1c9f0985e76a2"]);

    /// <summary>Reads the section; a key of another length stops the load, as APISIX's CLI refuses it at start-up.</summary>
    public static DataEncryptionConfig Read(ConfigSection section)
    {
        var enable = section.Bool("enable_encrypt_fields", Default.EnableEncryptFields);
        var keyPath = section.KeyPath("keyring");
        var raw = section.Raw("keyring", out _);
        section.CheckUnknownKeys();
        IReadOnlyList<string> keyring = raw switch
        {
            null => Default.Keyring,
            JsonValue => [Key(section, keyPath, raw)],
            JsonArray { Count: > 0 } list => list.Select((k, i) => Key(section, $"{keyPath}[{i}]", k)).ToArray(),
            _ => throw section.Invalid(keyPath, "expected a key or a non-empty list of keys", raw),
        };
        return new DataEncryptionConfig(enable, keyring);
    }

    private static string Key(ConfigSection section, string keyPath, JsonNode? node)
    {
        var key = node is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String ? value.GetValue<string>() : null;
        return key is not null && Encoding.UTF8.GetByteCount(key) is 16 or 32
            ? key
            : throw section.Invalid(keyPath, "expected a key of 16 bytes (AES-128) or 32 bytes (AES-256)", node);
    }
}

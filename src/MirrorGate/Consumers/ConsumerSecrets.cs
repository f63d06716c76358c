using System.Text.Json.Nodes;
using MirrorGate.Pipeline;

namespace MirrorGate.Consumers;

/// <summary>
/// The secret fields of a consumer's auth plugins (APISIX's <c>encrypt_fields</c>, key-auth's
/// <c>key</c>): encrypted in place before a write, decrypted for the Admin API's reads and the
/// snapshot, as APISIX's <c>encrypt_conf</c>/<c>decrypt_conf</c> do.
/// </summary>
internal static class ConsumerSecrets
{
    public static void Encrypt(JsonObject consumer, PluginRegistry plugins, FieldEncryption encryption)
        => Apply(consumer, plugins, encryption, static (e, v) => e.Encrypt(v));

    public static void Decrypt(JsonObject consumer, PluginRegistry plugins, FieldEncryption encryption)
        => Apply(consumer, plugins, encryption, static (e, v) => e.TryDecrypt(v, out var plain) ? plain : v);

    /// <summary>
    /// APISIX's secret references (<c>$env://</c>, <c>$secret://</c>) are not resolved here; a
    /// credential that is one must not become a key a client can send literally.
    /// </summary>
    public static bool IsSecretReference(string value)
        => value.StartsWith("$env://", StringComparison.Ordinal) || value.StartsWith("$secret://", StringComparison.Ordinal);

    private static void Apply(JsonObject consumer, PluginRegistry plugins, FieldEncryption encryption, Func<FieldEncryption, string, string> transform)
    {
        if (!encryption.Enabled || consumer["plugins"] is not JsonObject configs)
        {
            return;
        }

        foreach (var (name, node) in configs)
        {
            if (plugins.FindAuth(name) is not { } auth || node is not JsonObject config)
            {
                continue;
            }

            foreach (var field in auth.EncryptFields)
            {
                if (config[field] is JsonValue value && value.TryGetValue<string>(out var text))
                {
                    config[field] = transform(encryption, text);
                }
            }
        }
    }
}

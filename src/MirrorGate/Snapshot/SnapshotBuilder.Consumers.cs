using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MirrorGate.Consumers;
using MirrorGate.Pipeline;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.Snapshot;

/// <summary>
/// The consumer part of a build: each valid consumer compiled once per revision (its own plugins,
/// its credentials decrypted) and the credential tables the auth plugins look requests up in.
/// </summary>
internal sealed partial class SnapshotBuilder
{
    private Dictionary<string, ConsumerModel> _consumers = new(StringComparer.Ordinal);

    private ConsumerSet CompileConsumers(IReadOnlyList<StoredResource> items, Dictionary<(ResourceKind Kind, string Id), ParsedItem> parsed)
    {
        var byName = new Dictionary<string, ConsumerModel>(StringComparer.Ordinal);
        var byCredential = new Dictionary<string, Dictionary<string, ConsumerModel>>(StringComparer.Ordinal);
        foreach (var stored in items)
        {
            if (stored.Kind != ResourceKind.Consumer || parsed[(stored.Kind, stored.Id)].Value is not { } value)
            {
                continue;
            }

            ConsumerModel model;
            try
            {
                model = _consumers.TryGetValue(stored.Id, out var known) && known.ModifiedIndex == stored.ModifiedIndex
                    ? known
                    : CompileConsumer(stored, value);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSkipped("consumer", stored.Id, ex.Message);
                continue;
            }

            byName[model.Name] = model;
            foreach (var (plugin, credential) in Credentials(value))
            {
                Index(byCredential, plugin, credential, model);
            }
        }

        AddCredentials(items, parsed, byName, byCredential);
        _consumers = byName;
        return byName.Count == 0
            ? ConsumerSet.Empty
            : new ConsumerSet(byName.ToFrozenDictionary(StringComparer.Ordinal), byCredential.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenDictionary(StringComparer.Ordinal), StringComparer.Ordinal));
    }

    /// <summary>
    /// APISIX's credentials (<c>consumers/&lt;username&gt;/credentials/&lt;id&gt;</c>): each one's auth
    /// plugin authenticates as its consumer, whose own plugins still run, and tells the upstream
    /// which credential it was. A credential whose consumer is gone authenticates nobody.
    /// </summary>
    private void AddCredentials(
        IReadOnlyList<StoredResource> items,
        Dictionary<(ResourceKind Kind, string Id), ParsedItem> parsed,
        Dictionary<string, ConsumerModel> byName,
        Dictionary<string, Dictionary<string, ConsumerModel>> byCredential)
    {
        foreach (var stored in items)
        {
            if (stored.Kind != ResourceKind.Credential || parsed[(stored.Kind, stored.Id)].Value is not { } value)
            {
                continue;
            }

            var slash = stored.Id.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !byName.TryGetValue(stored.Id[..slash], out var consumer))
            {
                continue;
            }

            var model = consumer.ForCredential(stored.Id[(slash + 1)..]);
            foreach (var (plugin, credential) in Credentials(value))
            {
                Index(byCredential, plugin, credential, model);
            }
        }
    }

    private void Index(Dictionary<string, Dictionary<string, ConsumerModel>> byCredential, string plugin, string credential, ConsumerModel model)
    {
        var table = byCredential.TryGetValue(plugin, out var existing) ? existing : byCredential[plugin] = new(StringComparer.Ordinal);
        if (table.TryGetValue(credential, out var other) && (other.Name != model.Name || other.CredentialId != model.CredentialId))
        {
            // APISIX's runtime does the same (the last one loaded wins); its Admin API, like ours, refuses the duplicate.
            LogDuplicateCredential(plugin, other.Name, model.Name);
        }

        table[credential] = model;
    }

    private ConsumerModel CompileConsumer(StoredResource stored, JsonObject value)
    {
        // The consumer's plugins run as its own resource (APISIX keys their state, limit-count's
        // counters say, by the consumer), so they are compiled once for every route it uses.
        var entries = value["plugins"] is JsonObject configs ? CompileEntries("consumer/" + stored.Id, configs, skipAuth: true) : [];
        return new ConsumerModel(stored.Id, ConsumerModel.ReadCustomId(value), entries, stored.ModifiedIndex);
    }

    /// <summary>Each enabled auth plugin's credential of the consumer, decrypted.</summary>
    private IEnumerable<(string Plugin, string Credential)> Credentials(JsonObject consumer)
    {
        if (consumer["plugins"] is not JsonObject configs)
        {
            yield break;
        }

        foreach (var (name, node) in configs)
        {
            if (plugins.FindAuth(name) is { } auth && node is JsonObject config
                && config[auth.CredentialField] is JsonValue field && field.TryGetValue<string>(out var stored))
            {
                var credential = encryption is not null && auth.EncryptFields.Contains(auth.CredentialField) && encryption.TryDecrypt(stored, out var plain) ? plain : stored;
                if (ConsumerSecrets.IsSecretReference(credential))
                {
                    // APISIX resolves it; taken literally it would be a key anyone reading the config could send.
                    LogSecretReference(name, IdOf(consumer));
                    continue;
                }

                yield return (name, credential);
            }
        }
    }

    private static string IdOf(JsonObject consumer) => consumer["username"]?.GetValue<string>() ?? "";

    [LoggerMessage(EventId = 1032, Level = LogLevel.Error, Message = "Consumer {Consumer}: its {Plugin} credential is a secret reference ($env://, $secret://), which this gateway does not resolve; it authenticates no request")]
    private partial void LogSecretReference(string plugin, string consumer);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Consumers {First} and {Second} have the same {Plugin} credential; requests with it are {Second}'s")]
    private partial void LogDuplicateCredential(string plugin, string first, string second);
}

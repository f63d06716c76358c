using System.Text.Json.Nodes;
using MirrorGate.Admin;
using MirrorGate.Consumers;
using MirrorGate.Pipeline;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;
using MirrorGate.Stores;

namespace MirrorGate.Server;

/// <summary>
/// Checks every item of a document with the Admin API's validator, then (unless nothing may be
/// written) writes them in dependency order, replacing items with the same id.
/// </summary>
/// <param name="store">The target; null for a dry run against an embedded store that does not exist yet (empty).</param>
internal sealed class TransferImporter(IConfigStore? store, PluginRegistry plugins, TimeProvider time, FieldEncryption? encryption = null)
{
    /// <summary>
    /// Validates all items. A reference (<c>upstream_id</c>, <c>service_id</c>, <c>plugin_config_id</c>)
    /// is satisfied by an item of the document or by one already in the target store, as the Admin
    /// API would see it once the items before it are written. A global rule may not set a plugin that
    /// another global rule of the document or the store (one the document does not replace) sets.
    /// Returns one message per invalid item.
    /// </summary>
    public async Task<IReadOnlyList<string>> ValidateAsync(IReadOnlyList<TransferItem> items, CancellationToken cancellationToken)
    {
        var inDocument = items.Select(i => (i.Kind, i.Id)).ToHashSet();
        var inStore = new HashSet<(ResourceKind, string)>();
        foreach (var kind in new[] { ResourceKind.Upstream, ResourceKind.Service, ResourceKind.PluginConfig, ResourceKind.Consumer })
        {
            foreach (var stored in store is null ? [] : await store.ListAsync(kind, cancellationToken).ConfigureAwait(false))
            {
                inStore.Add((kind, stored.Id));
            }
        }

        // The global rules as they will stand after the import: the document's, and the store's it does not replace.
        var globalRules = items.Where(i => i.Kind == ResourceKind.GlobalRule).Select(i => i.Value).ToList();
        foreach (var stored in store is null ? [] : await store.ListAsync(ResourceKind.GlobalRule, cancellationToken).ConfigureAwait(false))
        {
            if (!inDocument.Contains((ResourceKind.GlobalRule, stored.Id)) && JsonNode.Parse(stored.Json) is JsonObject rule)
            {
                globalRules.Add(rule);
            }
        }

        var hooks = new ValidationHooks(
            (kind, id) => inDocument.Contains((kind, id)) || inStore.Contains((kind, id)),
            VarsExpression.Validate,
            plugins.SchemaFor,
            plugins.CheckConfig)
        {
            ConsumerPluginSchema = plugins.ConsumerSchemaFor,
            ConsumerPluginCheck = plugins.ConsumerCheckConfig,
            IsAuthPlugin = name => plugins.FindAuth(name) is not null,
        };
        var errors = new List<string>();
        foreach (var item in items)
        {
            var idError = item.Kind == ResourceKind.Consumer ? null
                : item.Kind == ResourceKind.Credential ? CredentialConsumerCheck(item, inDocument, inStore)
                : ResourceIdCheck.Check(item.Id);
            if ((idError
                 ?? ResourceValidator.Validate(item.Kind, WithTimes(item.Value), hooks)
                 ?? (item.Kind == ResourceKind.GlobalRule ? GlobalRuleConflicts.Find(item.Value, globalRules) : null)) is { } error)
            {
                errors.Add($"{item.Name}: {error}");
            }
        }

        return errors;
    }

    /// <summary>Writes every item (upstreams, services, plugin configs, routes, global rules); returns how many of each kind were written.</summary>
    public async Task<IReadOnlyDictionary<ResourceKind, int>> WriteAsync(IReadOnlyList<TransferItem> items, CancellationToken cancellationToken)
    {
        var target = store ?? throw new InvalidOperationException("no store to write to");
        var written = TransferDocument.WriteOrder.ToDictionary(k => k, _ => 0);
        foreach (var kind in TransferDocument.WriteOrder)
        {
            foreach (var item in items.Where(i => i.Kind == kind))
            {
                var value = WithTimes(item.Value);
                if (kind is ResourceKind.Consumer or ResourceKind.Credential && encryption is not null)
                {
                    StoredForm(value, encryption);
                }

                var json = value.ToJsonString(AdminJson.Options);
                await target.PutAsync(kind, item.Id, json, expectedModifiedIndex: null, cancellationToken).ConfigureAwait(false);
                written[kind]++;
            }
        }

        return written;
    }

    /// <summary>A credential needs its consumer, in the document or in the store (APISIX's <c>consumer not found</c>).</summary>
    private static string? CredentialConsumerCheck(TransferItem item, HashSet<(ResourceKind, string)> inDocument, HashSet<(ResourceKind, string)> inStore)
    {
        var consumer = item.Id[..item.Id.IndexOf('/', StringComparison.Ordinal)];
        return inDocument.Contains((ResourceKind.Consumer, consumer)) || inStore.Contains((ResourceKind.Consumer, consumer)) ? null : "consumer not found";
    }

    /// <summary>
    /// A consumer's credentials as the Admin API stores them: an exported one is encrypted already
    /// (it decrypts with the keyring) and stays as it is; a clear one (a hand-written APISIX file)
    /// is encrypted.
    /// </summary>
    private void StoredForm(JsonObject consumer, FieldEncryption fields)
    {
        if (!fields.Enabled || consumer["plugins"] is not JsonObject configs)
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
                if (config[field] is JsonValue value && value.TryGetValue<string>(out var text) && !fields.TryDecrypt(text, out _))
                {
                    config[field] = fields.Encrypt(text);
                }
            }
        }
    }

    /// <summary>
    /// Exported items keep their times; a hand-written item gets them as the Admin API would have
    /// set them, so the store never holds a value the Admin API could not have written.
    /// </summary>
    private JsonObject WithTimes(JsonObject value)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        value["create_time"] ??= now;
        value["update_time"] ??= now;
        return value;
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Consumers;
using MirrorGate.Pipeline;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;
using MirrorGate.Snapshot;
using MirrorGate.Stores;

namespace MirrorGate.Admin;

/// <summary>
/// <c>/apisix/admin/consumers</c> with APISIX v3's semantics and texts: keyed by <c>username</c>
/// (given in the body; a name in the URL must match it), PUT, GET and DELETE only, plugins checked
/// with their consumer schemas, an auth credential unique across consumers, and the credential
/// stored encrypted (<c>apisix.data_encryption</c>) while reads answer it in clear.
/// </summary>
internal sealed partial class ConsumerApi(IConfigStore store, PluginRegistry plugins, FieldEncryption encryption, SnapshotHolder snapshots, TimeProvider time)
{
    private const ResourceKind Kind = ResourceKind.Consumer;
    private static readonly TimeSpan LiveWait = TimeSpan.FromSeconds(1);

    public Task HandleAsync(HttpContext http, string method, string[] segments)
    {
        var name = segments.Length > 1 && segments[1].Length > 0 ? Uri.UnescapeDataString(segments[1]) : null;
        if (segments.Length > 2 && segments[2].Length > 0)
        {
            return segments[2] == "credentials" && segments.Length <= 4 && name is not null
                ? HandleCredentialsAsync(http, method, name, segments.Length == 4 && segments[3].Length > 0 ? Uri.UnescapeDataString(segments[3]) : null)
                : AdminJson.ErrorAsync(http, 404, "not found");
        }

        if (HttpMethods.IsGet(method))
        {
            return name is null ? ListAsync(http) : GetAsync(http, name);
        }

        if (HttpMethods.IsPut(method))
        {
            return PutAsync(http, name);
        }

        if (HttpMethods.IsDelete(method))
        {
            return name is null ? AdminJson.ErrorAsync(http, 400, "missing consumer id") : DeleteAsync(http, name);
        }

        if (HttpMethods.IsPost(method) || HttpMethods.IsPatch(method))
        {
            return AdminJson.ErrorAsync(http, 405, $"not supported `{method.ToUpperInvariant()}` method for consumer");
        }

        return AdminJson.ErrorAsync(http, 404, "not found");
    }

    private async Task GetAsync(HttpContext http, string name)
    {
        var item = await store.GetAsync(Kind, name, http.RequestAborted).ConfigureAwait(false);
        if (item is null)
        {
            await AdminJson.KeyNotFoundAsync(http).ConfigureAwait(false);
            return;
        }

        await AdminJson.WriteWithAsync(http, StatusCodes.Status200OK, w => AdminJson.WriteItem(w, ResourceApi.Key(Kind, name), Readable(item.Json), item.CreatedIndex, item.ModifiedIndex)).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext http)
    {
        var items = await store.ListAsync(Kind, http.RequestAborted).ConfigureAwait(false);
        await AdminListPage.WriteAsync(http, items, item => (ResourceApi.Key(Kind, item.Id), Readable(item.Json))).ConfigureAwait(false);
    }

    /// <summary>PUT with the username in the body; a name in the URL must be the same (APISIX: <c>wrong username</c>).</summary>
    private async Task PutAsync(HttpContext http, string? urlName)
    {
        if (await AdminRequestBody.ReadObjectAsync(http).ConfigureAwait(false) is not { } value)
        {
            return;
        }

        var error = ForbiddenProperties.Check(value) ?? await CheckAsync(value, urlName, http.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            await AdminJson.ErrorAsync(http, 400, error).ConfigureAwait(false);
            return;
        }

        var name = value["username"]!.GetValue<string>();
        var existing = await store.GetAsync(Kind, name, http.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var createTime = existing is not null && JsonNode.Parse(existing.Json)?["create_time"] is JsonValue stored && stored.TryGetValue<long>(out var kept) ? kept : now;
        value["create_time"] = createTime;
        value["update_time"] = now;
        ConsumerSecrets.Encrypt(value, plugins, encryption);

        var json = value.ToJsonString(AdminJson.Options);
        var written = await store.PutAsync(Kind, name, json, null, http.RequestAborted).ConfigureAwait(false);
        await snapshots.WaitForRevisionAsync(written.ModifiedIndex, LiveWait, http.RequestAborted).ConfigureAwait(false);
        // As APISIX: the answer is what was stored, the credential encrypted.
        await AdminJson.WriteWithAsync(http, written.Created ? 201 : 200, w => AdminJson.WriteItem(w, ResourceApi.Key(Kind, name), json, null, null)).ConfigureAwait(false);
    }

    /// <summary>APISIX's order: the schema, the username against the URL, the plugins, then a credential another consumer has.</summary>
    private async Task<string?> CheckAsync(JsonObject value, string? urlName, CancellationToken cancellationToken)
    {
        if (JsonSchemaValidator.Validate(ResourceSchemas.For(Kind), value) is { } schemaError)
        {
            return "invalid configuration: " + schemaError;
        }

        if (urlName is not null && urlName != value["username"]!.GetValue<string>())
        {
            return "wrong username";
        }

        var hooks = new ValidationHooks(static (_, _) => true, VarsExpression.Validate, plugins.SchemaFor, plugins.CheckConfig)
        {
            ConsumerPluginSchema = plugins.ConsumerSchemaFor,
            ConsumerPluginCheck = plugins.ConsumerCheckConfig,
        };
        return ResourceValidator.Validate(Kind, value, hooks)
            ?? CheckSecretReferences(value)
            ?? await FindDuplicateAsync(value, cancellationToken).ConfigureAwait(false);
    }

    private string? CheckSecretReferences(JsonObject value)
    {
        foreach (var (plugin, credential) in Credentials(value))
        {
            if (ConsumerSecrets.IsSecretReference(credential))
            {
                return $"invalid plugins configuration: {plugin}'s {plugins.FindAuth(plugin)!.CredentialField} is a secret reference; secrets ($env://, $secret://) are not implemented by this gateway yet";
            }
        }

        return null;
    }

    private Task<string?> FindDuplicateAsync(JsonObject value, CancellationToken cancellationToken)
        => FindDuplicateAsync(value, value["username"]!.GetValue<string>(), null, cancellationToken);

    /// <summary>
    /// APISIX's <c>check_duplicate_key</c>, against the store itself rather than a synced copy of it:
    /// a key held by another consumer or by any credential but the one written. A consumer does not
    /// conflict with its own credentials; a credential (<paramref name="credentialId"/>) only with itself.
    /// </summary>
    private async Task<string?> FindDuplicateAsync(JsonObject value, string consumerName, string? credentialId, CancellationToken cancellationToken)
    {
        var mine = Credentials(value).ToList();
        if (mine.Count == 0)
        {
            return null;
        }

        foreach (var kind in new[] { Kind, ResourceKind.Credential })
        {
            foreach (var other in await store.ListAsync(kind, cancellationToken).ConfigureAwait(false))
            {
                var (owner, ownerCredential) = kind == Kind ? (other.Id, null) : SplitCredentialId(other.Id);
                var isSelf = credentialId is null ? owner == consumerName : owner == consumerName && ownerCredential == credentialId;
                if (isSelf || JsonNode.Parse(other.Json) is not JsonObject otherValue)
                {
                    continue;
                }

                ConsumerSecrets.Decrypt(otherValue, plugins, encryption);
                foreach (var (plugin, credential) in Credentials(otherValue))
                {
                    if (mine.Contains((plugin, credential)))
                    {
                        var ownerText = ownerCredential is null ? "consumer: " + owner : $"credential: {ownerCredential} of consumer: {owner}";
                        return $"duplicate {plugins.FindAuth(plugin)!.CredentialField} of plugin {plugin} found with {ownerText}";
                    }
                }
            }
        }

        return null;
    }

    private IEnumerable<(string Plugin, string Credential)> Credentials(JsonObject consumer)
    {
        if (consumer["plugins"] is not JsonObject configs)
        {
            yield break;
        }

        foreach (var (name, node) in configs)
        {
            if (plugins.FindAuth(name) is { } auth && node is JsonObject config
                && config[auth.CredentialField] is JsonValue field && field.TryGetValue<string>(out var credential))
            {
                yield return (name, credential);
            }
        }
    }

    private async Task DeleteAsync(HttpContext http, string name)
    {
        if (await store.DeleteAsync(Kind, name, http.RequestAborted).ConfigureAwait(false) is not { } revision)
        {
            await AdminJson.KeyNotFoundAsync(http).ConfigureAwait(false);
            return;
        }

        // As APISIX (rmdir of <key>/credentials/): the consumer's credentials go with it.
        foreach (var credential in await store.ListAsync(ResourceKind.Credential, http.RequestAborted).ConfigureAwait(false))
        {
            if (SplitCredentialId(credential.Id).Consumer == name && await store.DeleteAsync(ResourceKind.Credential, credential.Id, http.RequestAborted).ConfigureAwait(false) is { } later)
            {
                revision = Math.Max(revision, later);
            }
        }

        await snapshots.WaitForRevisionAsync(revision, LiveWait, http.RequestAborted).ConfigureAwait(false);
        // APISIX answers etcd's count of deleted keys, as a string.
        await AdminJson.WriteAsync(http, 200, new JsonObject { ["deleted"] = "1", ["key"] = ResourceApi.Key(Kind, name) }).ConfigureAwait(false);
    }

    /// <summary>The stored value with its credentials in clear, as APISIX's Admin API reads answer.</summary>
    private string Readable(string storedJson)
    {
        if (!encryption.Enabled || JsonNode.Parse(storedJson) is not JsonObject value)
        {
            return storedJson;
        }

        ConsumerSecrets.Decrypt(value, plugins, encryption);
        return value.ToJsonString(AdminJson.Options);
    }
}

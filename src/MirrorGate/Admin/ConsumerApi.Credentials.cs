using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Consumers;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;
using MirrorGate.Stores;

namespace MirrorGate.Admin;

/// <summary>
/// <c>/apisix/admin/consumers/&lt;username&gt;/credentials[/&lt;id&gt;]</c> as APISIX v3: a consumer's
/// credentials, each holding one auth plugin, stored below it (<c>/apisix/consumers/&lt;username&gt;/credentials/&lt;id&gt;</c>,
/// store id <c>&lt;username&gt;/&lt;id&gt;</c>), the key encrypted as a consumer's is. PUT, GET and DELETE only.
/// </summary>
internal sealed partial class ConsumerApi
{
    private const ResourceKind CredentialKind = ResourceKind.Credential;

    /// <summary>A credential's store id split into its consumer and its own id.</summary>
    internal static (string Consumer, string? Credential) SplitCredentialId(string id)
    {
        var slash = id.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (id, null) : (id[..slash], id[(slash + 1)..]);
    }

    private static string CredentialKey(string consumer, string id) => $"/apisix/consumers/{consumer}/credentials/{id}";

    private Task HandleCredentialsAsync(HttpContext http, string method, string consumer, string? id)
    {
        if (HttpMethods.IsGet(method))
        {
            return id is null ? ListCredentialsAsync(http, consumer) : GetCredentialAsync(http, consumer, id);
        }

        if (HttpMethods.IsPut(method))
        {
            return PutCredentialAsync(http, consumer, id);
        }

        if (HttpMethods.IsDelete(method))
        {
            return id is null ? AdminJson.ErrorAsync(http, 400, "missing credential id") : DeleteCredentialAsync(http, consumer, id);
        }

        if (HttpMethods.IsPost(method) || HttpMethods.IsPatch(method))
        {
            return AdminJson.ErrorAsync(http, 405, $"not supported `{method.ToUpperInvariant()}` method for credential");
        }

        return AdminJson.ErrorAsync(http, 404, "not found");
    }

    private async Task GetCredentialAsync(HttpContext http, string consumer, string id)
    {
        var item = await store.GetAsync(CredentialKind, consumer + "/" + id, http.RequestAborted).ConfigureAwait(false);
        if (item is null)
        {
            await AdminJson.KeyNotFoundAsync(http).ConfigureAwait(false);
            return;
        }

        await AdminJson.WriteWithAsync(http, StatusCodes.Status200OK, w => AdminJson.WriteItem(w, CredentialKey(consumer, id), Readable(item.Json), item.CreatedIndex, item.ModifiedIndex)).ConfigureAwait(false);
    }

    private async Task ListCredentialsAsync(HttpContext http, string consumer)
    {
        var items = (await store.ListAsync(CredentialKind, http.RequestAborted).ConfigureAwait(false))
            .Where(i => SplitCredentialId(i.Id).Consumer == consumer)
            .ToList();
        await AdminListPage.WriteAsync(http, items, item => (CredentialKey(consumer, SplitCredentialId(item.Id).Credential!), Readable(item.Json))).ConfigureAwait(false);
    }

    /// <summary>APISIX's order: the id (URL or body, the same if both), the schema and plugins, the consumer, then a key someone else has.</summary>
    private async Task PutCredentialAsync(HttpContext http, string consumer, string? urlId)
    {
        if (await AdminRequestBody.ReadObjectAsync(http).ConfigureAwait(false) is not { } value)
        {
            return;
        }

        var bodyId = value["id"] is JsonValue idValue ? idValue.ToString() : null;
        var id = urlId ?? bodyId;
        var error = id is null ? "missing credential id"
            : urlId is not null && bodyId is not null && urlId != bodyId ? "wrong credential id"
            : ForbiddenProperties.Check(value);
        if (error is null)
        {
            value["id"] = id;
            error = ResourceIdCheck.Check(id!) ?? ResourceValidator.Validate(CredentialKind, value, CredentialHooks());
        }

        if (error is not null)
        {
            await AdminJson.ErrorAsync(http, 400, error).ConfigureAwait(false);
            return;
        }

        if (await store.GetAsync(Kind, consumer, http.RequestAborted).ConfigureAwait(false) is null)
        {
            await AdminJson.ErrorAsync(http, 404, "consumer not found").ConfigureAwait(false);
            return;
        }

        if ((CheckSecretReferences(value) ?? await FindDuplicateAsync(value, consumer, id, http.RequestAborted).ConfigureAwait(false)) is { } duplicate)
        {
            await AdminJson.ErrorAsync(http, 400, duplicate).ConfigureAwait(false);
            return;
        }

        var storeId = consumer + "/" + id;
        var existing = await store.GetAsync(CredentialKind, storeId, http.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var createTime = existing is not null && JsonNode.Parse(existing.Json)?["create_time"] is JsonValue stored && stored.TryGetValue<long>(out var kept) ? kept : now;
        value["create_time"] = createTime;
        value["update_time"] = now;
        ConsumerSecrets.Encrypt(value, plugins, encryption);

        var json = value.ToJsonString(AdminJson.Options);
        var written = await store.PutAsync(CredentialKind, storeId, json, null, http.RequestAborted).ConfigureAwait(false);
        await snapshots.WaitForRevisionAsync(written.ModifiedIndex, LiveWait, http.RequestAborted).ConfigureAwait(false);
        await AdminJson.WriteWithAsync(http, written.Created ? 201 : 200, w => AdminJson.WriteItem(w, CredentialKey(consumer, id!), json, null, null)).ConfigureAwait(false);
    }

    private ValidationHooks CredentialHooks() => new(static (_, _) => true, VarsExpression.Validate, plugins.SchemaFor, plugins.CheckConfig)
    {
        ConsumerPluginSchema = plugins.ConsumerSchemaFor,
        ConsumerPluginCheck = plugins.ConsumerCheckConfig,
        IsAuthPlugin = name => plugins.FindAuth(name) is not null,
    };

    private async Task DeleteCredentialAsync(HttpContext http, string consumer, string id)
    {
        if (await store.DeleteAsync(CredentialKind, consumer + "/" + id, http.RequestAborted).ConfigureAwait(false) is not { } revision)
        {
            await AdminJson.KeyNotFoundAsync(http).ConfigureAwait(false);
            return;
        }

        await snapshots.WaitForRevisionAsync(revision, LiveWait, http.RequestAborted).ConfigureAwait(false);
        await AdminJson.WriteAsync(http, 200, new JsonObject { ["deleted"] = "1", ["key"] = CredentialKey(consumer, id) }).ConfigureAwait(false);
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MirrorGate.Pipeline;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;
using MirrorGate.Snapshot;
using MirrorGate.Stores;

namespace MirrorGate.Admin;

/// <summary>
/// CRUD for routes, upstreams, services, plugin configs and global rules with APISIX v3's semantics and texts: what was sent
/// is stored as sent (plus id and times), every write is validated first and changes nothing
/// when rejected, and a successful write is live on this node before the answer returns.
/// </summary>
internal sealed class ResourceApi(IConfigStore store, PluginRegistry plugins, SnapshotHolder snapshots, TimeProvider time)
{
    private static readonly TimeSpan LiveWait = TimeSpan.FromSeconds(1);

    public async Task GetAsync(HttpContext http, ResourceKind kind, string id)
    {
        var item = await store.GetAsync(kind, id, http.RequestAborted).ConfigureAwait(false);
        if (item is null)
        {
            await AdminJson.KeyNotFoundAsync(http).ConfigureAwait(false);
            return;
        }

        await AdminJson.WriteWithAsync(http, StatusCodes.Status200OK, w => AdminJson.WriteItem(w, Key(kind, id), item.Json, item.CreatedIndex, item.ModifiedIndex)).ConfigureAwait(false);
    }

    public async Task ListAsync(HttpContext http, ResourceKind kind)
    {
        var query = http.Request.Query;
        var items = (IEnumerable<StoredResource>)await store.ListAsync(kind, http.RequestAborted).ConfigureAwait(false);

        if (query.ContainsKey("name") || query.ContainsKey("label") || query.ContainsKey("uri"))
        {
            var name = Pattern(query["name"]);
            var uri = Pattern(query["uri"]);
            string? label = query["label"];
            items = items.Where(i => Matches(i, name, label, uri)).ToList();
        }

        var list = items.ToList();
        await AdminListPage.WriteAsync(http, list, item => (Key(kind, item.Id), item.Json)).ConfigureAwait(false);
    }

    /// <summary>PUT with the id in the URL, or (when <paramref name="urlId"/> is null) in the body.</summary>
    public async Task PutAsync(HttpContext http, ResourceKind kind, string? urlId)
    {
        if (await AdminRequestBody.ReadObjectAsync(http).ConfigureAwait(false) is not { } value)
        {
            return;
        }

        var bodyId = value["id"];
        if (urlId is null && bodyId is null)
        {
            await AdminJson.ErrorAsync(http, 400, $"missing {kind.Singular()} id").ConfigureAwait(false);
            return;
        }

        if (urlId is not null && bodyId is not null && IdText(bodyId) != urlId)
        {
            await AdminJson.ErrorAsync(http, 400, $"wrong {kind.Singular()} id").ConfigureAwait(false);
            return;
        }

        var id = urlId ?? IdText(bodyId!);
        if (ResourceIdCheck.Check(id) is { } badId)
        {
            await AdminJson.ErrorAsync(http, 400, badId).ConfigureAwait(false);
            return;
        }

        if (await RejectForbiddenAsync(http, value).ConfigureAwait(false))
        {
            return;
        }

        if (bodyId is null)
        {
            value["id"] = id;
        }

        var existing = await store.GetAsync(kind, id, http.RequestAborted).ConfigureAwait(false);
        await SaveAsync(http, kind, id, value, existing, keepUpdateTime: false, status: null).ConfigureAwait(false);
    }

    /// <summary>POST mints the id; one in the URL or the body is refused (after the body is checked, as APISIX orders it).</summary>
    public async Task PostAsync(HttpContext http, ResourceKind kind, string? urlId)
    {
        if (kind is ResourceKind.PluginConfig or ResourceKind.GlobalRule)
        {
            // APISIX names these by the caller's id only: they have no POST at all.
            await AdminJson.ErrorAsync(http, StatusCodes.Status405MethodNotAllowed, $"not supported `POST` method for {kind.Singular()}").ConfigureAwait(false);
            return;
        }

        if (await AdminRequestBody.ReadObjectAsync(http).ConfigureAwait(false) is not { } value)
        {
            return;
        }

        if (urlId is not null || value.ContainsKey("id"))
        {
            await AdminJson.ErrorAsync(http, 400, $"wrong {kind.Singular()} id, do not need it").ConfigureAwait(false);
            return;
        }

        if (await RejectForbiddenAsync(http, value).ConfigureAwait(false))
        {
            return;
        }

        // Validate before minting an id, so a rejected POST leaves no trace at all.
        value["id"] = "0";
        if (await ValidateAsync(http, kind, value) is not null)
        {
            return;
        }

        var id = (await store.NextIdAsync(http.RequestAborted).ConfigureAwait(false)).ToString("D20", CultureInfo.InvariantCulture);
        value["id"] = id;
        await SaveAsync(http, kind, id, value, existing: null, keepUpdateTime: false, status: 201).ConfigureAwait(false);
    }

    public async Task PatchAsync(HttpContext http, ResourceKind kind, string id, IReadOnlyList<string> subPath)
    {
        var body = await AdminRequestBody.ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (body.ErrorBody is not null)
        {
            await AdminJson.WriteAsync(http, 400, body.ErrorBody).ConfigureAwait(false);
            return;
        }

        if (body.IsEmpty)
        {
            await AdminJson.ErrorAsync(http, 400, "missing new configuration").ConfigureAwait(false);
            return;
        }

        if (subPath.Count == 0 && body.Value is not JsonObject)
        {
            await AdminJson.ErrorAsync(http, 400, "invalid configuration").ConfigureAwait(false);
            return;
        }

        var existing = await store.GetAsync(kind, id, http.RequestAborted).ConfigureAwait(false);
        if (existing is null)
        {
            await AdminJson.KeyNotFoundAsync(http).ConfigureAwait(false);
            return;
        }

        var value = (JsonObject)JsonNode.Parse(existing.Json)!;

        // As APISIX: a whole-object patch that sets update_time keeps it; a sub-path patch always refreshes it.
        var patchSetsUpdateTime = false;
        if (body.Value is JsonObject patch && subPath.Count == 0)
        {
            patchSetsUpdateTime = patch.ContainsKey("update_time");
            JsonPatch.Merge(value, patch);
        }
        else if (JsonPatch.SetAtPath(value, subPath, body.Value) is { } pathError)
        {
            await AdminJson.ErrorAsync(http, 400, pathError).ConfigureAwait(false);
            return;
        }

        // The merged object is checked against the key's id, as APISIX does: a patch cannot move an item.
        if (value["id"] is not JsonNode mergedId || IdText(mergedId) != id)
        {
            if (value["id"] is not null)
            {
                await AdminJson.ErrorAsync(http, 400, $"wrong {kind.Singular()} id").ConfigureAwait(false);
                return;
            }

            value["id"] = id;
        }
        await SaveAsync(http, kind, id, value, existing, keepUpdateTime: patchSetsUpdateTime, status: 200, compareAndSwap: true).ConfigureAwait(false);
    }

    public async Task DeleteAsync(HttpContext http, ResourceKind kind, string id)
    {
        if (kind is not (ResourceKind.Route or ResourceKind.GlobalRule) && http.Request.Query["force"] != "true")
        {
            if (await FindUserAsync(kind, id, http.RequestAborted).ConfigureAwait(false) is { } user)
            {
                await AdminJson.ErrorAsync(http, 400, $"can not delete this {kind.Singular()}, {user.Kind.Singular()} [{user.Id}] is still using it now").ConfigureAwait(false);
                return;
            }
        }

        if (await store.DeleteAsync(kind, id, http.RequestAborted).ConfigureAwait(false) is not { } revision)
        {
            await AdminJson.KeyNotFoundAsync(http).ConfigureAwait(false);
            return;
        }

        await WaitLiveAsync(http, revision).ConfigureAwait(false);
        // "deleted" is etcd's count of deleted keys as a string, as APISIX passes it through: always "1" here.
        await AdminJson.WriteAsync(http, 200, new JsonObject { ["deleted"] = "1", ["key"] = Key(kind, id) }).ConfigureAwait(false);
    }

    private async Task SaveAsync(HttpContext http, ResourceKind kind, string id, JsonObject value, StoredResource? existing, bool keepUpdateTime, int? status, bool compareAndSwap = false)
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var createTime = existing is null ? now : (long?)JsonNode.Parse(existing.Json)!["create_time"]?.GetValue<double>() ?? now;
        if (!compareAndSwap || !value.ContainsKey("create_time"))
        {
            value.Remove("create_time");
            value["create_time"] = createTime;
        }

        if (!keepUpdateTime)
        {
            value.Remove("update_time");
            value["update_time"] = now;
        }

        if (await ValidateAsync(http, kind, value) is not null)
        {
            return;
        }

        var json = value.ToJsonString(AdminJson.Options);
        StoreWriteResult written;
        try
        {
            written = await store.PutAsync(kind, id, json, compareAndSwap ? existing!.ModifiedIndex : null, http.RequestAborted).ConfigureAwait(false);
        }
        catch (StoreConflictException)
        {
            await AdminJson.ErrorAsync(http, 503, "value changed before overwritten").ConfigureAwait(false);
            return;
        }

        await WaitLiveAsync(http, written.ModifiedIndex).ConfigureAwait(false);
        await AdminJson.WriteWithAsync(http, status ?? (written.Created ? 201 : 200), w => AdminJson.WriteItem(w, Key(kind, id), json, null, null)).ConfigureAwait(false);
    }

    /// <summary>PUT and POST may not set the times the store owns; checked after the id, as APISIX does.</summary>
    private static async Task<bool> RejectForbiddenAsync(HttpContext http, JsonObject value)
    {
        if (ForbiddenProperties.Check(value) is not { } forbidden)
        {
            return false;
        }

        await AdminJson.ErrorAsync(http, 400, forbidden).ConfigureAwait(false);
        return true;
    }

    /// <summary>Validates as APISIX does; writes the 400 and returns the message when invalid.</summary>
    private async Task<string?> ValidateAsync(HttpContext http, ResourceKind kind, JsonObject value)
    {
        var referenced = new HashSet<(ResourceKind, string)>();
        foreach (var (field, refKind) in new[] { ("upstream_id", ResourceKind.Upstream), ("service_id", ResourceKind.Service), ("plugin_config_id", ResourceKind.PluginConfig) })
        {
            if (value[field] is JsonNode refId && refId.GetValueKind() is JsonValueKind.String or JsonValueKind.Number
                && await store.GetAsync(refKind, IdText(refId), http.RequestAborted).ConfigureAwait(false) is not null)
            {
                referenced.Add((refKind, IdText(refId)));
            }
        }

        var hooks = new ValidationHooks((k, i) => referenced.Contains((k, i)), VarsExpression.Validate, plugins.SchemaFor, plugins.CheckConfig);
        var error = ResourceValidator.Validate(kind, value, hooks);
        if (error is null && kind == ResourceKind.GlobalRule)
        {
            var others = await store.ListAsync(ResourceKind.GlobalRule, http.RequestAborted).ConfigureAwait(false);
            error = GlobalRuleConflicts.Find(value, others.Select(o => JsonNode.Parse(o.Json) as JsonObject).OfType<JsonObject>());
        }

        if (error is not null)
        {
            await AdminJson.ErrorAsync(http, 400, error).ConfigureAwait(false);
        }

        return error;
    }

    private async Task<StoredResource?> FindUserAsync(ResourceKind kind, string id, CancellationToken cancellationToken)
    {
        var field = kind switch
        {
            ResourceKind.Upstream => "upstream_id",
            ResourceKind.PluginConfig => "plugin_config_id",
            _ => "service_id",
        };
        var candidates = kind == ResourceKind.Upstream ? new[] { ResourceKind.Route, ResourceKind.Service } : [ResourceKind.Route];
        foreach (var candidateKind in candidates)
        {
            foreach (var item in await store.ListAsync(candidateKind, cancellationToken).ConfigureAwait(false))
            {
                if (JsonNode.Parse(item.Json)?[field] is JsonNode refId && IdText(refId) == id)
                {
                    return item;
                }
            }
        }

        return null;
    }

    private Task WaitLiveAsync(HttpContext http, long revision)
        => snapshots.WaitForRevisionAsync(revision, LiveWait, http.RequestAborted);

    private static bool Matches(StoredResource item, Regex? name, string? label, Regex? uri)
    {
        var value = JsonNode.Parse(item.Json) as JsonObject;
        if (value is null)
        {
            return false;
        }

        if (name is not null && (value["name"]?.GetValue<string>() is not { } n || !name.IsMatch(n)))
        {
            return false;
        }

        if (label is not null)
        {
            var parts = label.Split(':', 2);
            if (value["labels"] is not JsonObject labels || labels[parts[0]] is not JsonNode labelValue
                || (parts.Length == 2 && labelValue.ToString() != parts[1]))
            {
                return false;
            }
        }

        if (uri is not null)
        {
            var uris = value["uris"] is JsonArray array ? array.Select(u => u?.ToString() ?? "") : value["uri"] is JsonNode single ? [single.ToString()] : [];
            if (!uris.Any(uri.IsMatch))
            {
                return false;
            }
        }

        return true;
    }

    private static Regex? Pattern(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            return new Regex(text, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return new Regex(Regex.Escape(text), RegexOptions.CultureInvariant);
        }
    }

    public static string Key(ResourceKind kind, string id) => $"/apisix/{kind.Plural()}/{id}";

    public static string IdText(JsonNode id) => id.GetValueKind() == JsonValueKind.String ? id.GetValue<string>() : id.ToJsonString();
}

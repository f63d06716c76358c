using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MirrorGate.Admin;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.Server;

/// <summary>One item of the document: its kind, its position in its list (for messages), its id and value.</summary>
internal sealed record TransferItem(ResourceKind Kind, int Index, string Id, JsonObject Value)
{
    /// <summary>How messages name the item: <c>routes[3] (id 7)</c>.</summary>
    public string Name => $"{Kind.Plural()}[{Index}] (id {Id})";
}

/// <summary>
/// The export/import document: APISIX's standalone shape, <c>{"routes":[...],"upstreams":[...],"services":[...],
/// "plugin_configs":[...],"global_rules":[...],"consumers":[...]}</c>,
/// each item the stored value with its id (a consumer with its username; its credentials as stored, encrypted), so a file written here also reads as APISIX's
/// <c>apisix.json</c> and a hand-written standalone file can be imported.
/// </summary>
internal static class TransferDocument
{
    // Upstreams, services and plugin configs first: routes and services refer to them, and a node
    // watching the store while the import runs should never see a route whose upstream is not there yet.
    public static readonly ResourceKind[] WriteOrder = [ResourceKind.Upstream, ResourceKind.Service, ResourceKind.PluginConfig, ResourceKind.Route, ResourceKind.GlobalRule, ResourceKind.Consumer, ResourceKind.Credential];

    /// <summary>The lists of a document, in the order they are written out.</summary>
    public static readonly ResourceKind[] DocumentOrder = [ResourceKind.Route, ResourceKind.Upstream, ResourceKind.Service, ResourceKind.PluginConfig, ResourceKind.GlobalRule, ResourceKind.Consumer];

    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(Stream output, StoreContents contents)
    {
        using var writer = new Utf8JsonWriter(output, Indented);
        writer.WriteStartObject();
        foreach (var kind in DocumentOrder)
        {
            writer.WritePropertyName(kind.Plural());
            writer.WriteStartArray();
            // As APISIX's standalone files: a consumer's credentials are items of the consumers list, id "<username>/credentials/<id>".
            foreach (var item in contents.Items.Where(i => i.Kind == kind || (kind == ResourceKind.Consumer && i.Kind == ResourceKind.Credential)))
            {
                var value = JsonNode.Parse(item.Json) as JsonObject
                    ?? throw new InvalidDataException($"{kind.Plural()}/{item.Id} is not a JSON object in the store");

                // The store key is the truth; the value's own id is normally the same. A consumer is
                // named by its username, as in APISIX's standalone files, and has no id.
                if (item.Kind == ResourceKind.Credential)
                {
                    var slash = item.Id.IndexOf('/', StringComparison.Ordinal);
                    value["id"] = item.Id[..slash] + "/credentials/" + item.Id[(slash + 1)..];
                }
                else if (kind != ResourceKind.Consumer)
                {
                    value["id"] ??= item.Id;
                }

                value.WriteTo(writer);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.Flush();
        output.Write("\n"u8);
    }

    /// <summary>Reads a document; every structural problem is listed in <paramref name="errors"/>.</summary>
    public static IReadOnlyList<TransferItem> Read(string text, List<string> errors)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            errors.Add($"not a JSON document: {ex.Message}");
            return [];
        }

        if (root is not JsonObject document)
        {
            errors.Add("the document must be a JSON object with \"routes\", \"upstreams\", \"services\", \"plugin_configs\" and \"global_rules\" lists");
            return [];
        }

        var items = new List<TransferItem>();
        foreach (var (key, node) in document)
        {
            if (!ResourceKinds.TryParsePlural(key, out var kind))
            {
                // APISIX's standalone files carry a version per list; it means nothing to a store.
                if (!key.EndsWith("_conf_version", StringComparison.Ordinal))
                {
                    errors.Add($"{key}: not a resource this gateway stores (routes, upstreams, services, plugin_configs, global_rules, consumers)");
                }

                continue;
            }

            if (node is not JsonArray list)
            {
                errors.Add($"{key}: must be a list");
                continue;
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is not JsonObject value)
                {
                    errors.Add($"{key}[{i}]: must be an object");
                    continue;
                }

                if (kind == ResourceKind.Consumer && value["username"] is null && CredentialOf(value) is { } credential)
                {
                    if (seen.Add(credential.StoreId))
                    {
                        value["id"] = credential.Id;
                        items.Add(new TransferItem(ResourceKind.Credential, i, credential.StoreId, (JsonObject)value.DeepClone()));
                    }
                    else
                    {
                        errors.Add($"{key}[{i}] (id {credential.StoreId}): the id appears more than once in {key}");
                    }

                    continue;
                }

                var idNode = kind == ResourceKind.Consumer ? value["username"] : value["id"];
                if (idNode is null || idNode.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number)
                    || ResourceApi.IdText(idNode) is not { Length: > 0 } id)
                {
                    errors.Add(kind == ResourceKind.Consumer ? $"{key}[{i}]: missing username" : $"{key}[{i}]: missing {kind.Singular()} id");
                    continue;
                }

                if (!seen.Add(id))
                {
                    errors.Add($"{key}[{i}] (id {id}): the id appears more than once in {key}");
                    continue;
                }

                items.Add(new TransferItem(kind, i, id, (JsonObject)value.DeepClone()));
            }
        }

        return items;
    }

    /// <summary>A consumers-list item that is a credential (<c>"id": "&lt;username&gt;/credentials/&lt;id&gt;"</c>): its store id and own id.</summary>
    private static (string StoreId, string Id)? CredentialOf(JsonObject value)
    {
        if (value["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var id))
        {
            return null;
        }

        var at = id.IndexOf("/credentials/", StringComparison.Ordinal);
        if (at <= 0)
        {
            return null;
        }

        var username = id[..at];
        var own = id[(at + "/credentials/".Length)..];
        return own.Length == 0 || own.Contains('/') || username.Contains('/') ? null : (username + "/" + own, own);
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Pipeline;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Admin;

/// <summary>APISIX's plugin and schema endpoints: the enabled list, each plugin's schema, and the core schemas.</summary>
internal sealed class PluginApi(PluginRegistry plugins)
{
    public Task ListAsync(HttpContext http)
    {
        var subsystem = http.Request.Query["subsystem"].ToString();
        if (subsystem is not ("" or "http" or "stream"))
        {
            return AdminJson.ErrorAsync(http, 400, "invalid subsystem passed");
        }

        // There are no stream (L4) plugins here.
        var names = subsystem == "stream" ? [] : plugins.Enabled.Select(p => (JsonNode?)p.Name).ToArray();
        return AdminJson.WriteAsync(http, 200, new JsonArray(names));
    }

    public Task SchemaAsync(HttpContext http, string name)
    {
        var subsystem = http.Request.Query["subsystem"].ToString();
        if (subsystem is not ("" or "http" or "stream"))
        {
            return AdminJson.ErrorAsync(http, 400, $"unsupported subsystem: {subsystem}");
        }

        var schemaType = http.Request.Query["schema_type"].ToString();
        if (schemaType == "consumer" && subsystem != "stream" && plugins.Find(name) is { } found)
        {
            // APISIX serves the plugin's consumer_schema as it is (no _meta); plugins without one have none.
            return found is IConsumerAuthPlugin auth
                ? AdminJson.WriteAsync(http, 200, auth.ConsumerSchema)
                : AdminJson.ErrorAsync(http, 400, "not found schema");
        }

        if (schemaType is not ("" or "route" or "consumer"))
        {
            return AdminJson.ErrorAsync(http, 400, "not found schema");
        }

        return plugins.SchemaFor(name) is { } schema && subsystem != "stream"
            ? AdminJson.WriteAsync(http, 200, schema)
            : AdminJson.ErrorAsync(http, 404, $"plugin not found in subsystem {(subsystem == "" ? "http" : subsystem)}");
    }

    public Task CoreSchemaAsync(HttpContext http, string name)
    {
        var kind = name switch
        {
            "route" => ResourceKind.Route,
            "upstream" => ResourceKind.Upstream,
            "service" => ResourceKind.Service,
            "plugin_config" => ResourceKind.PluginConfig,
            "global_rule" => ResourceKind.GlobalRule,
            "consumer" => ResourceKind.Consumer,
            _ => (ResourceKind?)null,
        };
        return kind is { } k
            ? AdminJson.WriteAsync(http, 200, ResourceSchemas.For(k))
            : AdminJson.ErrorAsync(http, 400, $"not found schema: {name}");
    }
}

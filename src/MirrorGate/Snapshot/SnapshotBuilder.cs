using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MirrorGate.Pipeline;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;
using MirrorGate.Stores;

namespace MirrorGate.Snapshot;

/// <summary>
/// Compiles store contents into a <see cref="GatewaySnapshot"/>, as APISIX's data plane does:
/// every item is validated again (a bad one is skipped with an error log, never fatal), services
/// are merged into their routes, plugin chains are compiled and sorted, and upstreams whose
/// config did not change are reused from the previous snapshot with their balancer state and
/// connection pools.
/// </summary>
internal sealed partial class SnapshotBuilder(
    PluginRegistry plugins,
    UpstreamModelFactory upstreamFactory,
    IServiceProvider services,
    ILoggerFactory loggerFactory,
    ILogger<SnapshotBuilder> logger)
{
    public GatewaySnapshot Build(StoreContents contents, GatewaySnapshot previous)
    {
        var items = ParseAndValidate(contents.Items);
        var upstreams = items.Where(i => i.Kind == ResourceKind.Upstream).ToDictionary(i => i.Id, i => i.Value, StringComparer.Ordinal);
        var servicesById = items.Where(i => i.Kind == ResourceKind.Service).ToDictionary(i => i.Id, i => i.Value, StringComparer.Ordinal);

        var compiledUpstreams = new Dictionary<string, UpstreamModel>(StringComparer.Ordinal);
        var routes = new List<(RouteMatchSpec, RouteModel)>();
        foreach (var item in items.Where(i => i.Kind == ResourceKind.Route))
        {
            try
            {
                if (CompileRoute(item.Id, item.Value, upstreams, servicesById, previous, compiledUpstreams) is { } compiled)
                {
                    routes.Add(compiled);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSkipped("route", item.Id, ex.Message);
            }
        }

        return new GatewaySnapshot(contents.Revision, RouteIndex<RouteModel>.Build(routes), compiledUpstreams, routes.Count);
    }

    private (RouteMatchSpec, RouteModel)? CompileRoute(
        string id,
        JsonObject route,
        Dictionary<string, JsonObject> upstreams,
        Dictionary<string, JsonObject> servicesById,
        GatewaySnapshot previous,
        Dictionary<string, UpstreamModel> compiledUpstreams)
    {
        if (route["status"] is JsonNode status && status.GetValue<int>() == 0)
        {
            return null;
        }

        JsonObject? service = null;
        if (route["service_id"] is JsonNode serviceId && !servicesById.TryGetValue(IdText(serviceId), out service))
        {
            LogSkipped("route", id, $"service {IdText(serviceId)} is missing or invalid");
            return null;
        }

        var timeout = UpstreamModelFactory.ReadTimeouts(route["timeout"] as JsonObject);
        var upstream = ResolveUpstream(id, route, service, upstreams, timeout, previous, compiledUpstreams);
        var chain = CompilePlugins(id, MergePlugins(service?["plugins"] as JsonObject, route["plugins"] as JsonObject));
        var model = new RouteModel
        {
            Id = id,
            Config = route,
            Plugins = chain,
            Upstream = upstream,
            EnableWebsocket = (route["enable_websocket"] ?? service?["enable_websocket"])?.GetValue<bool>() ?? false,
            Timeout = timeout,
        };
        return (RouteMatchSpec.FromConfig(id, route, service), model);
    }

    private UpstreamModel? ResolveUpstream(
        string routeId,
        JsonObject route,
        JsonObject? service,
        Dictionary<string, JsonObject> upstreams,
        UpstreamTimeouts? routeTimeout,
        GatewaySnapshot previous,
        Dictionary<string, UpstreamModel> compiled)
    {
        // APISIX's precedence: the route's own upstream, then its upstream_id, then the service's.
        string key;
        JsonObject? config;
        if (route["upstream"] is JsonObject inline)
        {
            (key, config) = ($"route/{routeId}", inline);
        }
        else if (route["upstream_id"] is JsonNode upstreamId)
        {
            (key, config) = ($"upstream/{IdText(upstreamId)}", upstreams.GetValueOrDefault(IdText(upstreamId)));
        }
        else if (service?["upstream"] is JsonObject serviceInline)
        {
            (key, config) = ($"service/{IdText(service["id"]!)}", serviceInline);
        }
        else if (service?["upstream_id"] is JsonNode serviceUpstreamId)
        {
            (key, config) = ($"upstream/{IdText(serviceUpstreamId)}", upstreams.GetValueOrDefault(IdText(serviceUpstreamId)));
        }
        else
        {
            return null;
        }

        if (config is null)
        {
            LogSkippedUpstream(routeId, key);
            return null;
        }

        // The key carries the full config (and a route timeout, which changes the pool's connect
        // timeout), so an unchanged upstream maps to the same key and is reused.
        key = $"{key}|{config.ToJsonString()}|{(routeTimeout is null ? "" : route["timeout"]!.ToJsonString())}";
        if (compiled.TryGetValue(key, out var model))
        {
            return model;
        }

        model = previous.Upstreams.GetValueOrDefault(key) ?? upstreamFactory.Create(key, config, routeTimeout);
        compiled[key] = model;
        return model;
    }

    private static JsonObject? MergePlugins(JsonObject? fromService, JsonObject? fromRoute)
    {
        if (fromService is null)
        {
            return fromRoute;
        }

        // A plugin configured on both takes the route's config, as APISIX merges them.
        var merged = new JsonObject();
        foreach (var (name, value) in fromService)
        {
            merged[name] = value?.DeepClone();
        }

        if (fromRoute is not null)
        {
            foreach (var (name, value) in fromRoute)
            {
                merged[name] = value?.DeepClone();
            }
        }

        return merged;
    }

    private PluginChain CompilePlugins(string routeId, JsonObject? configs)
    {
        if (configs is null || configs.Count == 0)
        {
            return PluginChain.Empty;
        }

        var handlers = new List<(int Priority, PluginHandler Handler)>();
        var context = new PluginBuildContext(routeId, services, loggerFactory);
        foreach (var (name, node) in configs)
        {
            if (node is not JsonObject config || plugins.Find(name) is not { } plugin)
            {
                continue;
            }

            var meta = config["_meta"] as JsonObject;
            if (meta?["disable"]?.GetValue<bool>() == true)
            {
                continue;
            }

            var priority = meta?["priority"]?.GetValue<int>() ?? plugin.Priority;
            handlers.Add((priority, plugin.CreateHandler(config, context)));
        }

        return new PluginChain(handlers.OrderByDescending(h => h.Priority).Select(h => h.Handler).ToArray());
    }

    private List<(ResourceKind Kind, string Id, JsonObject Value)> ParseAndValidate(IReadOnlyList<StoredResource> stored)
    {
        // References are not checked here: the Admin API already refused dangling ones, and one
        // left by a forced delete must not make the route vanish (404) — the route stays and
        // answers 503 until its upstream is back (see CompileRoute).
        var hooks = new ValidationHooks(static (_, _) => true, VarsExpression.Validate, plugins.SchemaFor);

        var result = new List<(ResourceKind, string, JsonObject)>(stored.Count);
        foreach (var item in stored)
        {
            JsonObject? value;
            try
            {
                value = JsonNode.Parse(item.Json) as JsonObject;
            }
            catch (JsonException ex)
            {
                LogSkipped(item.Kind.Singular(), item.Id, $"invalid JSON: {ex.Message}");
                continue;
            }

            if (value is null)
            {
                LogSkipped(item.Kind.Singular(), item.Id, "not a JSON object");
                continue;
            }

            if (ResourceValidator.Validate(item.Kind, value, hooks) is { } error)
            {
                LogSkipped(item.Kind.Singular(), item.Id, error);
                continue;
            }

            result.Add((item.Kind, item.Id, value));
        }

        return result;
    }

    private static string IdText(JsonNode id) => id.GetValueKind() == JsonValueKind.String ? id.GetValue<string>() : id.ToJsonString();

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Skipping stored {Kind} {Id}: {Reason}")]
    private partial void LogSkipped(string kind, string id, string reason);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Route {RouteId} refers to an upstream that is missing or invalid ({Key}); its requests answer 503")]
    private partial void LogSkippedUpstream(string routeId, string key);
}

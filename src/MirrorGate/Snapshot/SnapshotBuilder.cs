using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MirrorGate.Consumers;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;
using MirrorGate.Stores;

namespace MirrorGate.Snapshot;

/// <summary>
/// Compiles store contents into a <see cref="GatewaySnapshot"/>, as APISIX's data plane does:
/// every item is validated again (a bad one is skipped with an error log, never fatal), plugin
/// configs and services are merged into their routes, plugin chains are compiled and sorted, all
/// global rules become one chain run before every route's, and upstreams whose
/// config did not change are reused from the previous snapshot with their balancer state and
/// connection pools.
/// </summary>
internal sealed partial class SnapshotBuilder(
    PluginRegistry plugins,
    UpstreamModelFactory upstreamFactory,
    IServiceProvider services,
    ILoggerFactory loggerFactory,
    ILogger<SnapshotBuilder> logger,
    FieldEncryption? encryption = null)
{
    // A change touches only what changed: items are parsed and validated once per revision, and
    // a route is compiled again only when it, its plugin config, its service or its upstream changed. With 10,000
    // routes a rebuild is then a dictionary pass and a new route index, not 10,000 parses.
    // Builds are sequential (one refresher), so these caches need no locks.
    private Dictionary<(ResourceKind Kind, string Id), ParsedItem> _parsed = [];
    private Dictionary<string, CompiledRoute> _routes = new(StringComparer.Ordinal);
    private CompiledGlobalRules? _globalRules;

    public GatewaySnapshot Build(StoreContents contents, GatewaySnapshot previous)
    {
        var parsed = ParseAndValidate(contents.Items);
        var upstreams = new Dictionary<string, ParsedItem>(StringComparer.Ordinal);
        var servicesById = new Dictionary<string, ParsedItem>(StringComparer.Ordinal);
        var pluginConfigs = new Dictionary<string, ParsedItem>(StringComparer.Ordinal);
        foreach (var ((kind, id), item) in parsed)
        {
            if (item.Value is null)
            {
                continue;
            }

            if (kind == ResourceKind.Upstream)
            {
                upstreams[id] = item;
            }
            else if (kind == ResourceKind.Service)
            {
                servicesById[id] = item;
            }
            else if (kind == ResourceKind.PluginConfig)
            {
                pluginConfigs[id] = item;
            }
        }

        var compiledUpstreams = new Dictionary<string, UpstreamModel>(StringComparer.Ordinal);
        var compiledRoutes = new Dictionary<string, CompiledRoute>(StringComparer.Ordinal);
        var routes = new List<(RouteMatchSpec, RouteModel)>();
        foreach (var stored in contents.Items)
        {
            if (stored.Kind != ResourceKind.Route || parsed[(stored.Kind, stored.Id)].Value is not { } route)
            {
                continue;
            }

            try
            {
                if (CompileRoute(stored, route, upstreams, servicesById, pluginConfigs, previous, compiledUpstreams) is { } compiled)
                {
                    compiledRoutes[stored.Id] = compiled;
                    routes.Add((compiled.Spec, compiled.Model));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSkipped("route", stored.Id, ex.Message);
            }
        }

        _routes = compiledRoutes;
        _globalRules = CompileGlobalRules(contents.Items, parsed);
        return new GatewaySnapshot(contents.Revision, RouteIndex<RouteModel>.Build(routes), compiledUpstreams, routes.ConvertAll(static r => r.Item2))
        {
            GlobalRules = _globalRules?.Chain,
            Consumers = CompileConsumers(contents.Items, parsed),
        };
    }

    /// <summary>
    /// The global rules' one chain, or null when no valid rule sets an enabled plugin (then requests
    /// pay a null check only). Compiled again only when a rule changed, so limit counters and
    /// mirror state are kept across unrelated changes.
    /// </summary>
    private CompiledGlobalRules? CompileGlobalRules(IReadOnlyList<StoredResource> items, Dictionary<(ResourceKind Kind, string Id), ParsedItem> parsed)
    {
        var rules = new List<(string Id, JsonObject Rule)>();
        var revisions = new List<(string Id, long Revision)>();
        foreach (var stored in items)
        {
            if (stored.Kind == ResourceKind.GlobalRule && parsed[(stored.Kind, stored.Id)].Value is { } rule)
            {
                rules.Add((stored.Id, rule));
                revisions.Add((stored.Id, stored.ModifiedIndex));
            }
        }

        if (_globalRules is { } cached && cached.Revisions.SequenceEqual(revisions))
        {
            return cached;
        }

        if (rules.Count == 0)
        {
            return null;
        }

        try
        {
            var merged = GlobalRulePlugins.Merge(rules, LogGlobalPluginDropped);
            var chain = CompilePlugins(GlobalRulePlugins.ScopeId, merged);
            return new CompiledGlobalRules(revisions, chain.Handlers.Length == 0 ? null : chain);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Dropping the rules would silently lift what they enforce (an ip-restriction, say):
            // the chain that last compiled stays, as the whole snapshot would on a failed build.
            LogSkipped("global rules", string.Join(",", rules.Select(r => r.Id)), ex.Message);
            return _globalRules;
        }
    }

    private CompiledRoute? CompileRoute(
        StoredResource stored,
        JsonObject route,
        Dictionary<string, ParsedItem> upstreams,
        Dictionary<string, ParsedItem> servicesById,
        Dictionary<string, ParsedItem> pluginConfigs,
        GatewaySnapshot previous,
        Dictionary<string, UpstreamModel> compiledUpstreams)
    {
        var id = stored.Id;
        if (route["status"] is JsonNode status && JsonInteger.ToInt32(status) == 0)
        {
            return null;
        }

        ParsedItem? service = null;
        if (route["service_id"] is JsonNode serviceId && !servicesById.TryGetValue(IdText(serviceId), out service))
        {
            LogSkipped("route", id, $"service {IdText(serviceId)} is missing or invalid");
            return null;
        }

        // A plugin config that is gone (a forced delete) or invalid leaves the route answering 503, as APISIX does.
        ParsedItem? pluginConfig = null;
        var pluginConfigMissing = route["plugin_config_id"] is JsonNode pluginConfigId
            && (!pluginConfigs.TryGetValue(IdText(pluginConfigId), out pluginConfig) || pluginConfig.Value is null);

        var cached = _routes.GetValueOrDefault(id);
        if (cached is not null && (cached.RouteRevision != stored.ModifiedIndex || cached.ServiceRevision != (service?.ModifiedIndex ?? 0)
            || cached.PluginConfigRevision != (pluginConfigMissing ? -1 : pluginConfig?.ModifiedIndex ?? 0)))
        {
            cached = null;
        }

        var timeout = UpstreamModelFactory.ReadTimeouts(route["timeout"] as JsonObject);
        var (upstreamKey, upstream) = ResolveUpstream(id, route, service, upstreams, timeout, cached, previous, compiledUpstreams);
        if (cached is not null && ReferenceEquals(cached.Model.Upstream, upstream))
        {
            return cached;
        }

        var serviceValue = service?.Value;
        var spec = RouteMatchSpec.FromConfig(id, route, serviceValue);
        var model = new RouteModel
        {
            Id = id,
            ServiceId = route["service_id"] is JsonNode serviceIdNode ? IdText(serviceIdNode) : "",
            Name = route["name"]?.GetValue<string>(),
            ServiceName = serviceValue?["name"]?.GetValue<string>(),
            Hosts = spec.Hosts,
            Config = route,
            Plugins = pluginConfigMissing
                ? MissingPluginConfig(id, IdText(route["plugin_config_id"]!))
                : CompilePlugins(id, MergePlugins(serviceValue?["plugins"] as JsonObject, MergePlugins(pluginConfig?.Value?["plugins"] as JsonObject, route["plugins"] as JsonObject))),
            Upstream = upstream,
            EnableWebsocket = (route["enable_websocket"] ?? serviceValue?["enable_websocket"])?.GetValue<bool>() ?? false,
            Timeout = timeout,
        };
        return new CompiledRoute(stored.ModifiedIndex, service?.ModifiedIndex ?? 0, upstreamKey, spec, model)
        {
            PluginConfigRevision = pluginConfigMissing ? -1 : pluginConfig?.ModifiedIndex ?? 0,
        };
    }

    private PluginChain MissingPluginConfig(string routeId, string pluginConfigId)
    {
        LogMissingPluginConfig(routeId, pluginConfigId);
        return new PluginChain([MissingPluginConfigHandler.Instance]);
    }

    private (string? Key, UpstreamModel? Model) ResolveUpstream(
        string routeId,
        JsonObject route,
        ParsedItem? service,
        Dictionary<string, ParsedItem> upstreams,
        UpstreamTimeouts? routeTimeout,
        CompiledRoute? cached,
        GatewaySnapshot previous,
        Dictionary<string, UpstreamModel> compiled)
    {
        // APISIX's precedence: the route's own upstream, then its upstream_id, then the service's.
        // Keys name the config's identity, so an unchanged upstream maps to the same key and keeps
        // its balancer state and connections; a route timeout changes the pool's connect timeout,
        // so it is part of the key too.
        var timeoutPart = routeTimeout is null ? "" : "|timeout " + route["timeout"]!.ToJsonString();
        string key;
        JsonObject? config;
        if (route["upstream"] is JsonObject inline)
        {
            // An inline upstream is identified by its content, computed only when the route changed.
            key = cached?.UpstreamKey ?? $"route/{routeId}|{inline.ToJsonString()}{timeoutPart}";
            config = inline;
        }
        else if (route["upstream_id"] is JsonNode upstreamId)
        {
            (key, config) = Referenced(IdText(upstreamId));
        }
        else if (service?.Value?["upstream"] is JsonObject serviceInline)
        {
            key = $"service/{IdText(service.Value["id"]!)}@{service.ModifiedIndex}{timeoutPart}";
            config = serviceInline;
        }
        else if (service?.Value?["upstream_id"] is JsonNode serviceUpstreamId)
        {
            (key, config) = Referenced(IdText(serviceUpstreamId));
        }
        else
        {
            return (null, null);
        }

        if (config is null)
        {
            LogSkippedUpstream(routeId, key);
            return (key, null);
        }

        if (!compiled.TryGetValue(key, out var model))
        {
            model = previous.Upstreams.GetValueOrDefault(key) ?? upstreamFactory.Create(key, config, routeTimeout);
            compiled[key] = model;
        }

        return (key, model);

        (string, JsonObject?) Referenced(string upstreamId)
            => upstreams.TryGetValue(upstreamId, out var item)
                ? ($"upstream/{upstreamId}@{item.ModifiedIndex}{timeoutPart}", item.Value)
                : ($"upstream/{upstreamId}", null);
    }

    /// <summary>
    /// Plugins of a lower level under a higher one: a plugin configured on both takes the higher's
    /// config. APISIX merges a route's plugin config under the route, then the service under that.
    /// </summary>
    private static JsonObject? MergePlugins(JsonObject? fromService, JsonObject? fromRoute)
    {
        if (fromService is null)
        {
            return fromRoute;
        }

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

        var sorted = CompileEntries(routeId, configs, skipAuth: false);
        var handlers = new PluginHandler[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            handlers[i] = PluginMetaCompiler.Wrap(sorted[i].Handler, sorted[i].Meta, i, sorted.Length, routeId == GlobalRulePlugins.ScopeId);
        }

        return new PluginChain(handlers, sorted);
    }

    /// <summary>Compiles each enabled, not disabled plugin of <paramref name="configs"/>, sorted by effective priority.</summary>
    /// <param name="skipAuth">Leave out authentication plugins (a consumer's credentials are not plugins that run).</param>
    private PluginChainEntry[] CompileEntries(string routeId, JsonObject configs, bool skipAuth)
    {
        var compiled = new List<PluginChainEntry>();
        var context = new PluginBuildContext(routeId, services, loggerFactory);
        foreach (var (name, node) in configs)
        {
            // An empty array is Lua's empty table, which the Admin API accepted as {}: the plugin with its defaults.
            var config = node is JsonArray { Count: 0 } ? [] : node as JsonObject;
            if (config is null || plugins.Find(name) is not { } plugin || (skipAuth && plugin is IConsumerAuthPlugin))
            {
                continue;
            }

            var meta = config["_meta"] as JsonObject;
            if (meta?["disable"]?.GetValue<bool>() == true)
            {
                continue;
            }

            var priority = JsonInteger.ToInt32OrNull(meta?["priority"]) ?? plugin.Priority;
            compiled.Add(new PluginChainEntry(name, priority, meta, plugin.CreateHandler(config, context)));
        }

        // Stable: plugins of equal priority keep their config order.
        return compiled.OrderByDescending(h => h.Priority).ToArray();
    }

    private Dictionary<(ResourceKind Kind, string Id), ParsedItem> ParseAndValidate(IReadOnlyList<StoredResource> stored)
    {
        // References are not checked here: the Admin API already refused dangling ones, and one
        // left by a forced delete must not make the route vanish (404) — the route stays and
        // answers 503 until its upstream is back (see CompileRoute).
        var hooks = new ValidationHooks(static (_, _) => true, VarsExpression.Validate, plugins.SchemaFor, plugins.CheckConfig)
        {
            ConsumerPluginSchema = plugins.ConsumerSchemaFor,
            ConsumerPluginCheck = plugins.ConsumerCheckConfig,
            IsAuthPlugin = name => plugins.FindAuth(name) is not null,
        };

        var result = new Dictionary<(ResourceKind, string), ParsedItem>(stored.Count);
        foreach (var item in stored)
        {
            var key = (item.Kind, item.Id);
            if (_parsed.TryGetValue(key, out var known) && known.ModifiedIndex == item.ModifiedIndex)
            {
                // Same revision: same verdict, and a bad item is not logged again on every build.
                result[key] = known;
                continue;
            }

            result[key] = new ParsedItem(item.ModifiedIndex, ParseOne(item, hooks));
        }

        _parsed = result;
        return result;
    }

    private JsonObject? ParseOne(StoredResource item, ValidationHooks hooks)
    {
        JsonObject? value;
        try
        {
            value = StrictJson.Parse(item.Json) as JsonObject;
        }
        catch (JsonException ex)
        {
            LogSkipped(item.Kind.Singular(), item.Id, $"invalid JSON: {ex.Message}");
            return null;
        }

        if (value is null)
        {
            LogSkipped(item.Kind.Singular(), item.Id, "not a JSON object");
            return null;
        }

        if (ResourceValidator.Validate(item.Kind, value, hooks) is { } error)
        {
            LogSkipped(item.Kind.Singular(), item.Id, error);
            return null;
        }

        return value;
    }

    /// <summary>One stored item at one revision: its parsed value, or null when it failed validation.</summary>
    private sealed record ParsedItem(long ModifiedIndex, JsonObject? Value);

    /// <summary>A route as compiled from the route and service revisions it names, with the upstream key it resolved to.</summary>
    /// <summary>
    /// Whether the last build's route <paramref name="routeId"/> compares the answers of its
    /// target <paramref name="target"/>: results of pairs that no longer do are let go.
    /// </summary>
    public bool Compares(string routeId, string target)
        => (routeId == GlobalRulePlugins.ScopeId ? _globalRules?.Chain : _routes.GetValueOrDefault(routeId)?.Model.Plugins) is { } chain
           && chain.Handlers.Any(h => PluginMetaCompiler.Unwrap(h) is ProxyMirrorHandler mirror && mirror.Compares(target));

    private sealed record CompiledRoute(long RouteRevision, long ServiceRevision, string? UpstreamKey, RouteMatchSpec Spec, RouteModel Model)
    {
        /// <summary>The plugin config's revision merged in: 0 without one, -1 when it was missing or invalid.</summary>
        public long PluginConfigRevision { get; init; }
    }

    /// <summary>The global rules' chain (null when it would be empty) and the rule revisions it was compiled from.</summary>
    private sealed record CompiledGlobalRules(List<(string Id, long Revision)> Revisions, PluginChain? Chain);

    private static string IdText(JsonNode id) => id.GetValueKind() == JsonValueKind.String ? id.GetValue<string>() : id.ToJsonString();

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Skipping stored {Kind} {Id}: {Reason}")]
    private partial void LogSkipped(string kind, string id, string reason);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "Route {RouteId} refers to plugin config {PluginConfigId}, which is missing or invalid; its requests answer 503")]
    private partial void LogMissingPluginConfig(string routeId, string pluginConfigId);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Error, Message = "Found {Plugin} configured across different global rules. Removing it from execution list")]
    private partial void LogGlobalPluginDropped(string plugin);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Error, Message = "Route {RouteId} refers to an upstream that is missing or invalid ({Key}); its requests answer 503")]
    private partial void LogSkippedUpstream(string routeId, string key);
}

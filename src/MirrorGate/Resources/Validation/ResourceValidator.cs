using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// Validates a route, upstream, service, plugin config or global rule as APISIX's Admin API does, answering with the full
/// <c>error_msg</c> text, or null when the resource is valid.
/// </summary>
/// <remarks>
/// The order matters because only the first fault is reported, and it is APISIX's:
/// host/hosts and remote_addr/remote_addrs exclusivity, the schema, the inline upstream,
/// upstream_id, service_id, plugin_config_id, plugins, then vars; the gateway's own bounds (<see cref="ResourceLimits"/>)
/// come last, so APISIX's message wins wherever APISIX has one. Things MirrorGate has no counterpart for are not
/// checked: filter_func and script (Lua code), tls.client_cert_id (SSL objects).
/// </remarks>
internal static class ResourceValidator
{
    public static string? Validate(ResourceKind kind, JsonObject value, ValidationHooks hooks) => kind switch
    {
        ResourceKind.Route => ValidateRoute(value, hooks),
        ResourceKind.Service => ValidateService(value, hooks),
        ResourceKind.Upstream => UpstreamChecker.Check(value),
        ResourceKind.PluginConfig or ResourceKind.GlobalRule => ValidatePluginsOnly(kind, value, hooks),
        ResourceKind.Consumer => ValidateConsumer(value, hooks),
        ResourceKind.Credential => ValidateCredential(value, hooks),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string? ValidateRoute(JsonObject route, ValidationHooks hooks)
    {
        // Checked before the schema (and without its prefix) so the message names the real mistake
        // rather than the allOf/oneOf that encodes it.
        if (JsonNodes.IsTruthy(route, "host") && JsonNodes.IsTruthy(route, "hosts"))
        {
            return "only one of host or hosts is allowed";
        }

        if (JsonNodes.IsTruthy(route, "remote_addr") && JsonNodes.IsTruthy(route, "remote_addrs"))
        {
            return "only one of remote_addr or remote_addrs is allowed";
        }

        return CheckSchema(ResourceKind.Route, route)
            ?? CheckInlineUpstream(route)
            ?? CheckReference(route, "upstream_id", ResourceKind.Upstream, hooks)
            ?? CheckReference(route, "service_id", ResourceKind.Service, hooks)
            ?? CheckReference(route, "plugin_config_id", ResourceKind.PluginConfig, hooks)
            ?? PluginConfigChecker.Check(route["plugins"], hooks.PluginSchema, hooks.CheckVars, hooks.PluginCheck)
            ?? CheckVars(route, hooks)
            ?? ResourceLimits.Check(ResourceKind.Route, route);
    }

    private static string? ValidateService(JsonObject service, ValidationHooks hooks) =>
        CheckSchema(ResourceKind.Service, service)
        ?? CheckInlineUpstream(service)
        ?? CheckReference(service, "upstream_id", ResourceKind.Upstream, hooks)
        ?? PluginConfigChecker.Check(service["plugins"], hooks.PluginSchema, hooks.CheckVars, hooks.PluginCheck)
        ?? ResourceLimits.Check(ResourceKind.Service, service);

    /// <summary>A plugin config or a global rule: its schema, then each plugin's (APISIX's <c>check_conf</c> of both).</summary>
    private static string? ValidatePluginsOnly(ResourceKind kind, JsonObject value, ValidationHooks hooks) =>
        CheckSchema(kind, value)
        ?? PluginConfigChecker.Check(value["plugins"], hooks.PluginSchema, hooks.CheckVars, hooks.PluginCheck)
        ?? ResourceLimits.Check(kind, value);

    /// <summary>
    /// APISIX's consumer checks: the schema, then the plugins with their consumer schemas
    /// (<c>invalid plugins configuration: </c>). <c>group_id</c> passes APISIX's schema but is
    /// refused: consumer groups are not managed here, and a consumer whose group's plugins were
    /// silently left out would be let through limits it was meant to have.
    /// </summary>
    private static string? ValidateConsumer(JsonObject consumer, ValidationHooks hooks)
    {
        if (CheckSchema(ResourceKind.Consumer, consumer) is { } schemaError)
        {
            return schemaError;
        }

        if (consumer["group_id"] is not null)
        {
            return "invalid configuration: group_id is not supported: consumer groups are not implemented by this gateway yet";
        }

        var plugins = PluginConfigChecker.Check(consumer["plugins"], hooks.ConsumerPluginSchema ?? hooks.PluginSchema, hooks.CheckVars, hooks.ConsumerPluginCheck ?? hooks.PluginCheck);
        return plugins is not null ? "invalid plugins configuration: " + plugins : ResourceLimits.Check(ResourceKind.Consumer, consumer);
    }

    /// <summary>
    /// APISIX's credential checks: the schema (one plugin at most), the plugin with its consumer
    /// schema, then that it is an authentication plugin.
    /// </summary>
    private static string? ValidateCredential(JsonObject credential, ValidationHooks hooks)
    {
        if (CheckSchema(ResourceKind.Credential, credential) is { } schemaError)
        {
            return schemaError;
        }

        if (PluginConfigChecker.Check(credential["plugins"], hooks.ConsumerPluginSchema ?? hooks.PluginSchema, hooks.CheckVars, hooks.ConsumerPluginCheck ?? hooks.PluginCheck) is { } plugins)
        {
            return "invalid plugins configuration: " + plugins;
        }

        if (credential["plugins"] is JsonObject configs && hooks.IsAuthPlugin is { } isAuth && configs.Any(p => !isAuth(p.Key)))
        {
            return "only supports auth type plugins in consumer credential";
        }

        return ResourceLimits.Check(ResourceKind.Credential, credential);
    }

    private static string? CheckSchema(ResourceKind kind, JsonObject value)
    {
        var error = JsonSchemaValidator.Validate(ResourceSchemas.For(kind), value);
        return error is null ? null : "invalid configuration: " + error;
    }

    private static string? CheckInlineUpstream(JsonObject value) =>
        value["upstream"] is JsonObject upstream ? UpstreamChecker.Check(upstream) : null;

    private static string? CheckReference(JsonObject value, string property, ResourceKind target, ValidationHooks hooks)
    {
        if (!JsonNodes.IsTruthy(value, property) || value[property] is not { } idNode) return null;

        var id = LuaText.Concat(idNode);
        if (hooks.Exists(target, id)) return null;

        var word = target.Singular();
        return $"failed to fetch {word} info by {word} id [{id}], response code: 404";
    }

    private static string? CheckVars(JsonObject route, ValidationHooks hooks) => route["vars"] switch
    {
        JsonArray vars => hooks.CheckVars(vars),
        JsonObject { Count: 0 } => hooks.CheckVars([]), // Lua cannot tell {} from []
        _ => null,
    };
}

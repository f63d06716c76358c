using System.Globalization;
using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// APISIX's <c>check_upstream_conf</c>: the checks an upstream gets beyond its schema, for
/// <c>/upstreams</c> and for an upstream inlined in a route or service.
/// </summary>
internal static class UpstreamChecker
{
    private const string HashVarsPattern =
        "^((uri|server_name|server_addr|request_uri|remote_port|remote_addr|query_string|host|hostname|mqtt_client_id)|arg_[0-9a-zA-z_-]+)$";

    private const string HashHeaderPattern = "^[a-zA-Z0-9-_]+$";

    public static string? Check(JsonObject upstream)
    {
        // APISIX looks for bare IPv6 hosts before the schema, so this message wins over schema errors.
        if (upstream["nodes"] is JsonArray nodes)
        {
            foreach (var node in nodes)
            {
                if (node is JsonObject n && JsonNodes.TryString(n["host"], out var host)
                    && !host.StartsWith('[') && IpText.IsIPv6(host))
                {
                    return "invalid configuration: IPv6 address must be enclosed with '[' and ']'";
                }
            }
        }

        var error = JsonSchemaValidator.Validate(ResourceSchemas.For(ResourceKind.Upstream), upstream);
        if (error is not null) return "invalid configuration: " + error;

        // APISIX's own checks first, so its message wins where it has one; then the gateway's.
        return CheckPorts(upstream)
            ?? CheckPassHost(upstream)
            ?? CheckHashKey(upstream)
            ?? ResourceLimits.Check(ResourceKind.Upstream, upstream)
            ?? NodeHostCheck.Check(upstream);
    }

    private static string? CheckPorts(JsonObject upstream)
    {
        if (upstream["nodes"] is not JsonObject map) return null;
        foreach (var (address, _) in map)
        {
            // APISIX refuses 0 and 65536; a fraction (80.5) no destination can carry either.
            if (NodeAddress.Port(address) is { } port && (port < 1 || port > 65535 || port % 1 != 0))
            {
                return "invalid port " + LuaText.Number(port);
            }
        }

        return null;
    }

    private static string? CheckPassHost(JsonObject upstream)
    {
        var rewrite = JsonNodes.TryString(upstream["pass_host"], out var passHost) && passHost == "rewrite";
        var hasHost = JsonNodes.TryString(upstream["upstream_host"], out var host) ? host.Length > 0 : upstream.ContainsKey("upstream_host");
        return rewrite && !hasHost ? "`upstream_host` can't be empty when `pass_host` is `rewrite`" : null;
    }

    private static string? CheckHashKey(JsonObject upstream)
    {
        if (!JsonNodes.TryString(upstream["type"], out var type) || type != "chash") return null;

        // The schema's default for hash_on is "vars"; APISIX sees it filled in by validation.
        var hashOn = JsonNodes.TryString(upstream["hash_on"], out var h) ? h : "vars";
        if (hashOn != "consumer" && !JsonNodes.IsTruthy(upstream, "key")) return "missing key";

        var pattern = hashOn switch
        {
            "vars" => HashVarsPattern,
            "header" or "cookie" => HashHeaderPattern,
            _ => null, // consumer: no key; vars_combinations: any string
        };
        if (pattern is null || !upstream.TryGetPropertyValue("key", out var key)) return null;

        var keySchema = new JsonObject { ["type"] = "string", ["pattern"] = pattern };
        var error = JsonSchemaValidator.Validate(keySchema, key);
        return error is null ? null : "invalid configuration: " + error;
    }
}

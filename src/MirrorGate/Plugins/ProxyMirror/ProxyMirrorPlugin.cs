using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Balancing;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// APISIX's <c>proxy-mirror</c>: copies all or a sampled share of a route's requests to one or
/// more hosts and ignores the answers (or compares them). Priority 1010, as APISIX.
/// </summary>
/// <param name="markerHeader">The node's marker name (<c>plugin_attr.proxy-mirror.marker_header</c>), which headers edits may not touch.</param>
internal sealed class ProxyMirrorPlugin(ReservedListeners reserved, string markerHeader = MirrorMarker.DefaultHeaderName) : IGatewayPlugin
{
    public const string PluginName = "proxy-mirror";

    public string Name => PluginName;

    public int Priority => 1010;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the proxy-mirror schema is missing from the assembly");

    /// <summary>
    /// Refuses what the schema lets through but no copy could be sent to or with: the classic
    /// form and <c>targets</c> mixed, or neither; a host .NET cannot connect to (port beyond
    /// 65535, empty labels, malformed IPv6, numeric spellings other than a dotted quad), a host
    /// that reaches this node's Admin API or metrics listener, a path with control characters
    /// (a request line cannot carry CR, LF or NUL, and the schema's <c>[^?&amp;]</c> lets every
    /// control through), duplicate target names, compare on a gRPC target, a <c>sample_key</c>
    /// no request can have, a <c>vars</c> expression that does not compile, and header edits a
    /// copy cannot carry or that would touch the connection's own headers or the marker.
    /// </summary>
    public string? CheckConfig(JsonObject config)
    {
        var plugin = CheckFilters(config);
        if (plugin is not null)
        {
            return plugin;
        }

        if (config["targets"] is not JsonArray targets)
        {
            return config.ContainsKey("host") ? CheckTarget(config) : "property \"host\" is required";
        }

        foreach (var attribute in ProxyMirrorConfig.TargetAttributes)
        {
            if (config.ContainsKey(attribute))
            {
                return $"property \"{attribute}\" validation failed: \"{attribute}\" and \"targets\" cannot both be set; "
                    + $"with targets, put \"{attribute}\" in each target";
            }
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < targets.Count; i++)
        {
            var target = (JsonObject)targets[i]!;
            var error = CheckFilters(target) ?? CheckTarget(target);
            var name = target["name"]?.GetValue<string>() ?? target["host"]!.GetValue<string>();
            if (error is null && !names.Add(name))
            {
                error = $"property \"name\" validation failed: target name \"{name}\" is used twice; "
                    + "each target needs its own name (a target without one is named by its host)";
            }

            if (error is not null)
            {
                // The validator's wording for an item of a list.
                return $"property \"targets\" validation failed: failed to validate item {i + 1}: {error}";
            }
        }

        return null;
    }

    private string? CheckTarget(JsonObject target)
    {
        var host = target["host"]!.GetValue<string>();
        if (CheckHost(host, "host") is { } hostError)
        {
            return hostError;
        }

        if (target["path"]?.GetValue<string>() is { } path && path.Any(char.IsControl))
        {
            return $"property \"path\" validation failed: a request line cannot carry control characters";
        }

        if (target["compare"] is JsonObject compare)
        {
            if (host.StartsWith("grpc", StringComparison.Ordinal))
            {
                return $"property \"compare\" validation failed: answers of grpc and grpcs mirrors cannot be compared";
            }

            if (compare["noise_host"]?.GetValue<string>() is { } noise && CheckHost(noise, "compare.noise_host") is { } noiseError)
            {
                return noiseError;
            }

            if (CompareOptions.Check(compare) is { } compareError)
            {
                return compareError;
            }
        }

        return null;
    }

    private string? CheckHost(string host, string property)
    {
        if (!MirrorOrigin.TryParse(host, out var origin, out var problem))
        {
            return $"property \"{property}\" validation failed: \"{host}\": {problem}";
        }

        if (reserved.Reached(origin!) is { } listener)
        {
            return $"property \"{property}\" validation failed: \"{host}\" reaches this node's {listener.Name} listener ({listener.ConfigKey} {listener.Address}:{listener.Port}); "
                + "mirror copies carry the client's headers and may not be sent to the node's Admin API or metrics listeners";
        }

        return null;
    }

    /// <summary>The attributes that may stand at plugin level or in a target: sample_key, vars, headers.</summary>
    private string? CheckFilters(JsonObject config)
    {
        if (config["sample_key"]?.GetValue<string>() is { } key && !RequestVariable.Parse(key).IsKnown)
        {
            return $"property \"sample_key\" validation failed: unknown variable \"{key}\"; "
                + "use one such as http_x_user_id, cookie_session, arg_uid or remote_addr";
        }

        if (config["vars"] is JsonArray vars && VarsExpression.Validate(vars) is { } varsError)
        {
            return $"property \"vars\" validation failed: {varsError}";
        }

        return config["headers"] is JsonObject headers ? CheckHeaders(headers, "headers") : null;
    }

    private string? CheckHeaders(JsonObject headers, string property)
    {
        var named = new List<(string Name, string Action)>();
        if (headers["set"] is JsonObject set)
        {
            foreach (var (name, value) in set)
            {
                named.Add((name, "set"));
                var text = value!.GetValue<string>();
                if (text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                {
                    return $"property \"{property}.set\" validation failed: the value of \"{name}\" carries CR, LF or NUL, which no header can";
                }
            }
        }

        if (headers["remove"] is JsonArray remove)
        {
            named.AddRange(remove.Select(n => (n!.GetValue<string>(), "remove")));
        }

        foreach (var (name, action) in named)
        {
            var at = $"property \"{property}.{action}\" validation failed: ";
            if (!MirrorHeaderNames.IsToken(name))
            {
                return at + $"\"{name}\" is not a valid header name";
            }

            if (MirrorHeaderNames.IsConnectionOwned(name))
            {
                return at + $"\"{name}\" is written by the mirror connection (hop-by-hop, Host, Content-Length or Transfer-Encoding) and cannot be {(action == "set" ? "set" : "removed")}";
            }

            if (name.Equals(MirrorMarker.DefaultHeaderName, StringComparison.OrdinalIgnoreCase)
                || name.Equals(markerHeader, StringComparison.OrdinalIgnoreCase))
            {
                return at + $"\"{name}\" is the mirror marker, which every copy carries as the node writes it; it can be neither removed nor set";
            }
        }

        return null;
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var typed = ProxyMirrorConfig.FromJson(config);
        var runtime = context.Services.GetRequiredService<MirrorRuntime>();
        var comparisons = typed.Targets.Any(t => t.Compare is not null) ? context.Services.GetRequiredService<CompareServices>() : null;
        return ProxyMirrorHandler.Create(typed, runtime, context.RouteId, comparisons);
    }
}

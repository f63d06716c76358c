using System.Text.Json.Nodes;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// What proxy-mirror's schema lets through but a mirror lane cannot take: the host pattern's
/// <c>(:\d+)?</c> admits any number as a port and its IPv6 class admits <c>[:::]</c>, and the path
/// pattern's <c>[^?&amp;]</c> admits control characters. Refused here so the Admin API never
/// stores a mirror the node would fail to build or send to.
/// </summary>
internal static class ProxyMirrorConfigCheck
{
    public static string? Check(JsonObject config)
    {
        if (config["host"] is JsonValue hostNode && hostNode.TryGetValue<string>(out var host))
        {
            var error = CheckHost(host);
            if (error is not null) return $"property \"host\" validation failed: {error}";
        }

        if (config["path"] is JsonValue pathNode && pathNode.TryGetValue<string>(out var path) && path.Any(char.IsControl))
        {
            return "property \"path\" validation failed: control characters are not allowed";
        }

        return null;
    }

    private static string? CheckHost(string host)
    {
        var schemeEnd = host.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0) return null; // the schema already refused it

        var authority = host[(schemeEnd + 3)..];
        var colon = authority.LastIndexOf(':');
        if (colon >= 0 && !authority.EndsWith(']'))
        {
            var digits = authority[(colon + 1)..];
            if (digits.Length > 5 || !int.TryParse(digits, out var port) || port is < 1 or > 65535)
            {
                return $"invalid port {digits}, expected 1 to 65535";
            }
        }

        // grpc(s) travel as http(s); the URI the lane builds must parse.
        var transport = host.StartsWith("grpcs", StringComparison.Ordinal) || host.StartsWith("https", StringComparison.Ordinal) ? "https" : "http";
        return Uri.TryCreate($"{transport}://{authority}", UriKind.Absolute, out _) ? null : $"invalid address {authority}";
    }
}

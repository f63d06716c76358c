using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// APISIX's <c>grpc-web</c>: lets browsers call a gRPC upstream. A gRPC-Web POST goes upstream as
/// gRPC (method path, <c>application/grpc</c>, the text mode's base64 decoded as it streams) and
/// the answer comes back as gRPC-Web (base64 again in text mode, the gRPC status in a trailer
/// frame at the end of the body), with APISIX's CORS headers. Priority 505, as APISIX.
/// </summary>
internal sealed class GrpcWebPlugin : IGatewayPlugin
{
    public const string PluginName = "grpc-web";

    public const long DefaultMaxRequestBodySize = 67108864;

    public const string DefaultCorsAllowHeaders = "content-type,x-grpc-web,x-user-agent";

    public string Name => PluginName;

    public int Priority => 505;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the grpc-web schema is missing from the assembly");

    /// <summary>
    /// Beyond the schema: a size the node can count to (JSON allows any integer, a byte count is a
    /// long), and allowed headers that can go into a response header as they are (no CR or LF).
    /// </summary>
    public string? CheckConfig(JsonObject config)
    {
        if (config["max_req_body_size"] is { } size && MaxRequestBodySize(size) is null)
        {
            return $"property \"max_req_body_size\" validation failed: expected {size.ToJsonString()} to be at most {long.MaxValue}";
        }

        return config["cors_allow_headers"]?.GetValue<string>() is { } headers && headers.Any(c => (c < 0x20 && c != '\t') || c == 0x7F)
            ? "property \"cors_allow_headers\" validation failed: control characters are not allowed in a header value"
            : null;
    }

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
        => new GrpcWebHandler(
            config["max_req_body_size"] is { } size ? MaxRequestBodySize(size)!.Value : DefaultMaxRequestBodySize,
            config["cors_allow_headers"]?.GetValue<string>() ?? DefaultCorsAllowHeaders,
            new GrpcWebLog(
                context.RouteId,
                context.LoggerFactory.CreateLogger<GrpcWebPlugin>(),
                context.Services.GetService<TimeProvider>() ?? TimeProvider.System));

    /// <summary>The schema-checked integer (it may be written <c>1e6</c> or <c>100.0</c>), or null past a long.</summary>
    private static long? MaxRequestBodySize(JsonNode size)
    {
        var value = size.AsValue();
        if (value.TryGetValue<long>(out var exact))
        {
            return exact;
        }

        var number = value.GetValue<double>();
        return number < long.MaxValue ? (long)number : null;
    }
}

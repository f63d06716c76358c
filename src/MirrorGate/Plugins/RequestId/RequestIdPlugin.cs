using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.RequestId;

/// <summary>
/// APISIX's <c>request-id</c>: gives each request an id in a header (default
/// <c>X-Request-Id</c>) that the upstream, the mirror copies and, by default, the client see.
/// Priority 12015, as APISIX.
/// </summary>
/// <param name="random">The ids' random source (Random.Shared in a node; seeded in tests).</param>
internal sealed class RequestIdPlugin(Random? random = null) : IGatewayPlugin
{
    public const string PluginName = "request-id";

    public const string DefaultHeaderName = "X-Request-Id";

    public const string DefaultCharSet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIGKLMNOPQRSTUVWXYZ0123456789";

    public string Name => PluginName;

    public int Priority => 12015;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the request-id schema is missing from the assembly");

    /// <summary>A header name no request line can carry would fail every request: refused when saved.</summary>
    public string? CheckConfig(JsonObject config)
        => config["header_name"]?.GetValue<string>() is { } name && (name.Length == 0 || !name.All(c => c > 32 && c < 127 && c != ':'))
            ? "property \"header_name\" validation failed: \"" + name + "\" is not a valid header name"
            : null;

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var algorithm = (config["algorithm"]?.GetValue<string>() ?? "uuid") switch
        {
            "uuidv7" => RequestIdAlgorithm.UuidV7,
            "nanoid" => RequestIdAlgorithm.Nanoid,
            "range_id" => RequestIdAlgorithm.RangeId,
            "ksuid" => RequestIdAlgorithm.Ksuid,
            _ => RequestIdAlgorithm.Uuid,
        };
        var range = config["range_id"] as JsonObject;
        var generator = new RequestIdGenerator(
            algorithm,
            range?["length"]?.GetValue<int>() ?? 16,
            range?["char_set"]?.GetValue<string>() ?? DefaultCharSet,
            random ?? Random.Shared,
            context.Services.GetService<TimeProvider>() ?? TimeProvider.System);
        return new RequestIdHandler(
            config["header_name"]?.GetValue<string>() ?? DefaultHeaderName,
            config["include_in_response"]?.GetValue<bool>() ?? true,
            generator);
    }
}

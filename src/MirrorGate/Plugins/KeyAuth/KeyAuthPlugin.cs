using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Logging;
using MirrorGate.Pipeline;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Plugins.KeyAuth;

/// <summary>
/// APISIX's <c>key-auth</c> (priority 2500, type auth): on a route it says where the key is read
/// (<c>header</c>, then <c>query</c>) and whether it is hidden from the upstream; on a consumer it
/// holds the consumer's <c>key</c>, stored encrypted (<c>apisix.data_encryption</c>).
/// </summary>
internal sealed class KeyAuthPlugin : IConsumerAuthPlugin
{
    public const string PluginName = "key-auth";

    public const string MissingKey = "Missing API key in request";

    public const string InvalidKey = "Invalid API key in request";

    public const string InvalidAnonymous = "Invalid user authorization";

    private static readonly JsonSerializerOptions BodyOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => PluginName;

    public int Priority => 2500;

    public JsonObject Schema { get; } = ResourceSchemas.Plugin(PluginName)
        ?? throw new InvalidOperationException("the key-auth schema is missing from the assembly");

    public JsonObject ConsumerSchema { get; } = ResourceSchemas.Plugin(PluginName + ".consumer")
        ?? throw new InvalidOperationException("the key-auth consumer schema is missing from the assembly");

    public IReadOnlyList<string> EncryptFields { get; } = ["key"];

    public string CredentialField => "key";

    public string? CheckConfig(JsonObject config) => null;

    public PluginHandler CreateHandler(JsonObject config, PluginBuildContext context)
    {
        var realm = config["realm"]?.GetValue<string>() ?? "key";
        return new KeyAuthHandler(
            header: config["header"]?.GetValue<string>() ?? "apikey",
            query: config["query"]?.GetValue<string>() ?? "apikey",
            hideCredentials: config["hide_credentials"]?.GetValue<bool>() ?? false,
            anonymousConsumer: config["anonymous_consumer"]?.GetValue<string>(),
            challenge: "apikey realm=\"" + realm + "\"",
            missing: Refusal(MissingKey),
            invalid: Refusal(InvalidKey),
            invalidAnonymous: Refusal(InvalidAnonymous),
            routeId: context.RouteId,
            logger: context.LoggerFactory.CreateLogger<KeyAuthHandler>());
    }

    // APISIX answers {"message": ...} followed by a newline.
    private static PhaseResult Refusal(string message)
        => PhaseResult.Respond(401, new JsonObject { ["message"] = message }.ToJsonString(BodyOptions) + "\n");
}

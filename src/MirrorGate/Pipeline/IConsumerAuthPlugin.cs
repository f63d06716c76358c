using System.Text.Json.Nodes;

namespace MirrorGate.Pipeline;

/// <summary>
/// A plugin of APISIX's type <c>auth</c>: besides its route config it has a consumer config
/// (APISIX's <c>consumer_schema</c>) that names the credential, finds the consumer of a request
/// and attaches it (<see cref="ProxyContext.Consumer"/>), after which the consumer's own plugins
/// join the route's chain.
/// </summary>
internal interface IConsumerAuthPlugin : IGatewayPlugin
{
    /// <summary>The schema of the plugin's config on a consumer (with APISIX's <c>encrypt_fields</c>).</summary>
    JsonObject ConsumerSchema { get; }

    /// <summary>The consumer config's fields stored encrypted when <c>apisix.data_encryption</c> is on.</summary>
    IReadOnlyList<string> EncryptFields { get; }

    /// <summary>
    /// The consumer config's field that finds the consumer (key-auth's <c>key</c>): unique across
    /// consumers, as APISIX's Admin API requires, and the key of the snapshot's lookup table.
    /// </summary>
    string CredentialField { get; }
}

using Microsoft.Extensions.Primitives;

namespace MirrorGate.Pipeline;

/// <summary>
/// The <c>Server</c> header every answer of the node carries, in place of the upstream's, as
/// APISIX sets <c>APISIX/&lt;version&gt;</c>: <c>MirrorGate/&lt;version&gt;</c>, or
/// <c>MirrorGate</c> alone when <c>apisix.enable_server_tokens</c> is false.
/// </summary>
internal sealed class ServerHeader(bool withVersion)
{
    public StringValues Value { get; } = withVersion ? $"MirrorGate/{Hosting.CommandLine.Version}" : "MirrorGate";
}

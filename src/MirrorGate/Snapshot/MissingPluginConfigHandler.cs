using MirrorGate.Pipeline;

namespace MirrorGate.Snapshot;

/// <summary>
/// The chain of a route whose <c>plugin_config_id</c> names no valid plugin config (one deleted
/// with <c>force=true</c>, say): APISIX answers such a route's requests with 503 rather than run
/// it without the plugins it was configured with.
/// </summary>
internal sealed class MissingPluginConfigHandler : PluginHandler
{
    public static readonly MissingPluginConfigHandler Instance = new();

    private static readonly ValueTask<PhaseResult> Unavailable = new(PhaseResult.Respond(503));

    private MissingPluginConfigHandler()
    {
    }

    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context) => Unavailable;
}

using System.Net;
using MirrorGate.Pipeline;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.IpRestriction;

/// <summary>
/// ip-restriction compiled for one route. In the access phase (after real-ip's rewrite set the
/// client address) a client outside the whitelist, or inside the blacklist, gets
/// <c>response_code</c> with <c>{"message": ...}</c>. The request ends there, before the upstream
/// node is picked, so it is neither proxied nor mirrored.
/// </summary>
internal sealed class IpRestrictionHandler(IPNetwork[] networks, bool isWhitelist, PhaseResult rejection) : PluginHandler
{
    public override ValueTask<PhaseResult> AccessAsync(ProxyContext context)
    {
        var address = context.HttpContext.Connection.RemoteIpAddress;

        // No address (a test host or a Unix socket) matches no list, as an unparsable one in APISIX.
        var listed = address is not null && IpNetworks.Contains(networks, address);
        return new ValueTask<PhaseResult>(listed == isWhitelist ? PhaseResult.Continue : rejection);
    }
}

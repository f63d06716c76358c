using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using MirrorGate.Pipeline;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.RealIp;

/// <summary>
/// real-ip compiled for one route. In the rewrite phase (priority 23000, before every other
/// plugin) it replaces the connection's remote address and port with the ones read from
/// <c>source</c>, as nginx's <c>set_real_ip</c> does: everything that reads the client address
/// afterwards on this request (ip-restriction, <c>$remote_addr</c> in vars and templates, the
/// X-Real-IP and X-Forwarded-For sent upstream and to mirrors, the balancer's chash key) sees the
/// new one. Kestrel resets the address for each request, so the next request on the connection
/// starts from the peer again. A missing or bad value changes nothing, as in APISIX.
/// </summary>
internal sealed class RealIpHandler(VarsVariable? source, IPNetwork[]? trusted, bool recursive) : PluginHandler
{
    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
    {
        var connection = context.HttpContext.Connection;
        if (trusted is not null && (connection.RemoteIpAddress is not { } peer || !IpNetworks.Contains(trusted, peer)))
        {
            return PhaseResult.ContinueTask;
        }

        var text = source is null ? FromForwardedFor(context.HttpContext.Request.Headers[ForwardedHeaders.XForwardedFor]) : source.GetValue(context.HttpContext);
        if (text is not null && ClientAddress.TryParse(text, out var address, out var port))
        {
            connection.RemoteIpAddress = address;
            if (port is { } value)
            {
                connection.RemotePort = value;
            }
        }

        return PhaseResult.ContinueTask;
    }

    /// <summary>
    /// The client in X-Forwarded-For (the last header line if there are several): the last entry,
    /// or with <c>recursive</c> and <c>trusted_addresses</c> the last entry that is not trusted,
    /// walking back from the end (the first entry when all others are trusted).
    /// </summary>
    private string? FromForwardedFor(StringValues lines)
    {
        if (lines.Count == 0)
        {
            return null;
        }

        var last = lines[^1] ?? "";
        if (!last.Contains(','))
        {
            return last;
        }

        var entries = last.Split(',', StringSplitOptions.TrimEntries);
        if (recursive && trusted is not null)
        {
            for (var i = entries.Length - 1; i >= 1; i--)
            {
                if (!IpNetworks.TryParseAddress(entries[i], out var hop) || !IpNetworks.Contains(trusted, hop))
                {
                    return entries[i];
                }
            }

            return entries[0];
        }

        return entries[^1];
    }
}

using System.Globalization;
using System.Net;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.RealIp;

/// <summary>
/// An address as a header or argument carries it: <c>1.1.1.1</c>, <c>1.1.1.1:80</c>, <c>::2</c>,
/// <c>[::2]</c>, <c>[::2]:80</c>. APISIX's <c>core.utils.parse_addr</c> followed by its IPv4/IPv6
/// and port checks: anything else (a host name, <c>1.1.1.1.1</c>, port 0 or past 65535) is no address.
/// </summary>
internal static class ClientAddress
{
    public static bool TryParse(string text, out IPAddress address, out int? port)
    {
        address = IPAddress.None;
        port = null;
        var host = text.AsSpan().Trim();
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            var rest = host[(close + 1)..];
            if (rest.Length > 0 && !(rest[0] == ':' && TryParsePort(rest[1..], out port)))
            {
                return false;
            }

            host = host[1..close];
            return host.Contains(':') && IpNetworks.TryParseAddress(host, out address);
        }

        // Two colons or more: IPv6 without a port; otherwise an IPv4 address, maybe with a port.
        var colon = host.IndexOf(':');
        if (colon >= 0 && host[(colon + 1)..].Contains(':'))
        {
            return IpNetworks.TryParseAddress(host, out address);
        }

        if (colon >= 0)
        {
            if (!TryParsePort(host[(colon + 1)..], out port))
            {
                return false;
            }

            host = host[..colon];
        }

        return !host.Contains(':') && host.Contains('.') && IpNetworks.TryParseAddress(host, out address)
               && address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out int? port)
    {
        port = null;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > 65535)
        {
            return false;
        }

        port = value;
        return true;
    }
}

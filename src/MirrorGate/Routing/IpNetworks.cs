using System.Net;

namespace MirrorGate.Routing;

/// <summary>
/// Parses APISIX address lists (<c>1.2.3.4</c>, <c>10.0.0.0/8</c>, <c>::1</c>, <c>fe80::/10</c>) into
/// <see cref="IPNetwork"/> values and answers membership.
/// </summary>
internal static class IpNetworks
{
    /// <summary>
    /// Parses one address or CIDR. Unlike <see cref="IPNetwork.TryParse(string, out IPNetwork)"/>, host bits after
    /// the prefix are masked off instead of rejected, because APISIX (lua-resty-ipmatcher) accepts
    /// <c>192.168.1.5/24</c> and means <c>192.168.1.0/24</c>.
    /// </summary>
    public static bool TryParse(string text, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            return false;
        }

        var maxPrefix = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, null, out prefix) || prefix > maxPrefix))
        {
            return false;
        }

        network = new IPNetwork(Mask(address, prefix), prefix);
        return true;
    }

    /// <summary>
    /// Parses a bare address strictly: <see cref="IPAddress.TryParse(string, out IPAddress)"/> also accepts
    /// shorthand such as <c>10.1</c>, which inet_pton (what APISIX uses) rejects.
    /// </summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, out IPAddress address)
    {
        if (text.Length > 1 && text[0] == '[' && text[^1] == ']')
        {
            text = text[1..^1];
        }

        if (!IPAddress.TryParse(text, out address!))
        {
            return false;
        }

        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Count('.') != 3)
        {
            return false;
        }

        return true;
    }

    /// <summary>True when <paramref name="address"/> (IPv4-mapped IPv6 seen as IPv4) is in any network.</summary>
    public static bool Contains(IReadOnlyList<IPNetwork> networks, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        for (var i = 0; i < networks.Count; i++)
        {
            if (networks[i].Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}

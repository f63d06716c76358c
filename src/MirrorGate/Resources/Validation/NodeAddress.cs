using System.Globalization;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// An upstream node key (<c>host:port</c>, <c>[v6]:port</c>, <c>host</c>) split the way APISIX's
/// <c>parse_addr</c> and Lua's <c>tonumber</c> split it, so that the same keys get
/// <c>invalid port</c>, and the snapshot build reads exactly the host and port validation saw.
/// </summary>
internal static class NodeAddress
{
    /// <summary>The port, or null when the key has none (or its port part is not a number).</summary>
    public static double? Port(string address) => Split(address).Port;

    /// <summary>
    /// The host part (IPv6 still in brackets when it came with them) and the port. A key whose
    /// port part is not a number is all host, as <c>parse_addr</c> leaves it.
    /// </summary>
    public static (string Host, double? Port) Split(string address)
    {
        if (address.Length == 0) return (address, null);

        if (address[0] == '[')
        {
            if (address[^1] == ']') return (address, null);
            var colon = LastColonBefore(address);
            if (colon < 1 || address[colon - 1] != ']') return (address, null);
            return WithPort(address, colon);
        }

        // The first '.' means IPv4 or a name; a second ':' first means a bare IPv6 address (no port).
        var colons = 0;
        foreach (var c in address)
        {
            if (c == '.') break;
            if (c == ':' && ++colons == 2) return (address, null);
        }

        var pos = LastColonBefore(address);
        return pos < 0 ? (address, null) : WithPort(address, pos);
    }

    private static (string Host, double? Port) WithPort(string address, int colon) =>
        LuaToNumber(address[(colon + 1)..]) is { } port ? (address[..colon], port) : (address, null);

    // APISIX searches from the second-to-last character, so a trailing ':' is not a separator.
    private static int LastColonBefore(string s) => s.Length < 2 ? -1 : s.LastIndexOf(':', s.Length - 2);

    private static double? LuaToNumber(string text)
    {
        var t = text.Trim(' ', '\t', '\n', '\r', '\f', '\v');
        if (t.Length == 0) return null;

        var negative = t[0] == '-';
        var body = t[0] is '-' or '+' ? t[1..] : t;
        if (body.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(body[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return negative ? -(double)hex : hex;
        }

        if (body.Length == 0 || !(char.IsAsciiDigit(body[0]) || body[0] == '.')) return null;
        return double.TryParse(t, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var d)
            ? d
            : null;
    }
}

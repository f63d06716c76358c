using System.Globalization;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// The port part of an upstream node key (<c>host:port</c>, <c>[v6]:port</c>), read the way
/// APISIX's <c>parse_addr</c> and Lua's <c>tonumber</c> read it, so that the same keys get
/// <c>invalid port</c>.
/// </summary>
internal static class NodeAddress
{
    public static double? Port(string address)
    {
        if (address.Length == 0) return null;

        if (address[0] == '[')
        {
            if (address[^1] == ']') return null;
            var colon = LastColonBefore(address);
            if (colon < 1 || address[colon - 1] != ']') return null;
            return LuaToNumber(address[(colon + 1)..]);
        }

        // The first '.' means IPv4 or a name; a second ':' first means a bare IPv6 address (no port).
        var colons = 0;
        foreach (var c in address)
        {
            if (c == '.') break;
            if (c == ':' && ++colons == 2) return null;
        }

        var pos = LastColonBefore(address);
        return pos < 0 ? null : LuaToNumber(address[(pos + 1)..]);
    }

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

namespace MirrorGate.Resources.Validation;

/// <summary>
/// Address syntax as glibc's <c>inet_pton</c> accepts it, which is what APISIX calls for the
/// <c>ipv4</c>/<c>ipv6</c> formats and node hosts. .NET's IPAddress.TryParse is looser (scope
/// ids, brackets, short IPv4 forms), so it would accept addresses APISIX rejects.
/// </summary>
internal static class IpText
{
    public static bool IsIPv4(ReadOnlySpan<char> s)
    {
        var octets = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            var value = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                value = value * 10 + (s[i] - '0');
                i++;
                if (i - start > 3 || value > 255) return false;
            }

            var digits = i - start;
            // inet_pton refuses empty octets and leading zeros ("01").
            if (digits == 0 || (digits > 1 && s[start] == '0')) return false;
            octets++;
            if (i == s.Length) return octets == 4;
            if (s[i] != '.' || octets == 4) return false;
            i++;
        }
    }

    public static bool IsIPv6(ReadOnlySpan<char> s)
    {
        if (s.Length < 2) return false;
        var groups = 0;
        var sawDoubleColon = false;
        var i = 0;

        if (s[0] == ':')
        {
            if (s[1] != ':') return false;
            sawDoubleColon = true;
            i = 2;
            if (i == s.Length) return true; // "::"
        }

        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiHexDigit(s[i]) && i - start < 5) i++;
            var len = i - start;

            if (i < s.Length && s[i] == '.')
            {
                // An embedded IPv4 address takes the last two groups.
                return IsIPv4(s[start..]) && groups + 2 <= 8 && (sawDoubleColon ? groups + 2 < 8 : groups + 2 == 8);
            }

            if (len is 0 or > 4) return false;
            groups++;
            if (groups > 8) return false;
            if (i == s.Length) break;
            if (s[i] != ':') return false;
            i++;
            if (i < s.Length && s[i] == ':')
            {
                if (sawDoubleColon) return false;
                sawDoubleColon = true;
                i++;
                if (i == s.Length) break;
            }
            else if (i == s.Length)
            {
                return false; // trailing single colon
            }
        }

        return sawDoubleColon ? groups < 8 : groups == 8;
    }
}

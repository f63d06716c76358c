using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace MirrorGate.Mirroring;

/// <summary>
/// Where a mirror's copies go, parsed once from the plugin's <c>host</c> when the route is saved
/// or compiled: the scheme they travel over, the host (a name or a literal address) and the port.
/// Nothing about it is parsed again on the request path.
/// </summary>
internal sealed class MirrorOrigin
{
    private static readonly SearchValues<char> LabelChars = SearchValues.Create("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private MirrorOrigin(string scheme, bool isGrpc, string host, IPAddress? address, int port, bool portWritten)
    {
        Scheme = scheme;
        IsGrpc = isGrpc;
        Host = host;
        Address = address;
        Port = port;
        var authority = address?.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        BaseUri = portWritten ? $"{scheme}://{authority}:{port.ToString(CultureInfo.InvariantCulture)}" : $"{scheme}://{authority}";
    }

    /// <summary><c>http</c> or <c>https</c>: grpc travels as http (h2c), grpcs as https.</summary>
    public string Scheme { get; }

    public bool IsGrpc { get; }

    public bool UseTls => Scheme == Uri.UriSchemeHttps;

    /// <summary>The host name (lower case) or the address's text (IPv6 without brackets).</summary>
    public string Host { get; }

    /// <summary>The literal address when the host is one, else null (a name, resolved when connecting).</summary>
    public IPAddress? Address { get; }

    /// <summary>The port written, else the scheme's (80, 443).</summary>
    public int Port { get; }

    /// <summary>Scheme and authority in canonical form, e.g. <c>http://127.0.0.1:1986</c> or <c>https://[::1]</c>: the key of the mirror's lane and circuit.</summary>
    public string BaseUri { get; }

    public override string ToString() => BaseUri;

    /// <summary>
    /// Parses a <c>host</c> value; on failure <paramref name="error"/> says what is wrong in words
    /// an Admin API answer can carry. Beyond the schema's pattern it refuses what no connection
    /// could be made to (a port beyond 65535, empty labels, a malformed IPv6 literal) and numeric
    /// hosts other than a dotted quad, which resolvers read differently (<c>127.1</c> and
    /// <c>2130706433</c> both mean 127.0.0.1). <see cref="Parse"/> throws where this returns false.
    /// </summary>
    public static MirrorOrigin Parse(string host)
        => TryParse(host, out var origin, out var error) ? origin! : throw new FormatException($"'{host}' is not a mirror host: {error}");

    /// <summary>
    /// Parses a <c>host</c> value; on failure <paramref name="error"/> says what is wrong in words
    /// an Admin API answer can carry.
    /// </summary>
    public static bool TryParse(string host, out MirrorOrigin? origin, out string? error)
    {
        origin = null;
        var schemeEnd = host.IndexOf("://", StringComparison.Ordinal);
        var (scheme, isGrpc) = schemeEnd < 0 ? (null, false) : host[..schemeEnd] switch
        {
            "http" => ((string?)Uri.UriSchemeHttp, false),
            "https" => (Uri.UriSchemeHttps, false),
            "grpc" => (Uri.UriSchemeHttp, true),
            "grpcs" => (Uri.UriSchemeHttps, true),
            _ => (null, false),
        };
        if (scheme is null)
        {
            error = "the scheme must be http, https, grpc or grpcs";
            return false;
        }

        var authority = host.AsSpan(schemeEnd + 3);
        var hostEnd = authority.StartsWith('[') ? authority.IndexOf(']') + 1 : authority.LastIndexOf(':');
        if (hostEnd <= 0)
        {
            hostEnd = authority.Length;
        }

        var hostPart = authority[..hostEnd];
        var portPart = authority[hostEnd..];
        var port = scheme == Uri.UriSchemeHttps ? 443 : 80;
        if (!portPart.IsEmpty && !TryParsePort(portPart, ref port))
        {
            error = portPart[0] == ':' ? $"port {portPart[1..]} is not between 1 and 65535" : $"\"{authority}\" is not a host and an optional port";
            return false;
        }

        if (!TryParseHost(hostPart, out var name, out var address, out error))
        {
            return false;
        }

        origin = new MirrorOrigin(scheme, isGrpc, name, address, port, !portPart.IsEmpty);

        // The mirror connections still take the origin as a URI; one it cannot read would fail every copy.
        if (!Uri.TryCreate(origin.BaseUri, UriKind.Absolute, out _))
        {
            origin = null;
            error = $"\"{hostPart}\" is not a valid host";
            return false;
        }

        return true;
    }

    private static bool TryParsePort(ReadOnlySpan<char> portPart, ref int port)
    {
        var digits = portPart[1..];
        if (portPart[0] == ':' && !digits.IsEmpty && digits.Length <= 5 && digits.IndexOfAnyExceptInRange('0', '9') < 0
            && int.Parse(digits, CultureInfo.InvariantCulture) is >= 1 and <= 65535 and var value)
        {
            port = value;
            return true;
        }

        return false;
    }

    private static bool TryParseHost(ReadOnlySpan<char> text, out string name, out IPAddress? address, out string? error)
    {
        name = "";
        address = null;
        error = null;
        if (text.StartsWith('['))
        {
            if (text.Length > 2 && text[^1] == ']' && IPAddress.TryParse(text[1..^1], out address)
                && address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId == 0)
            {
                name = address.ToString();
                return true;
            }

            address = null;
            error = $"\"{text}\" is not a valid IPv6 address";
            return false;
        }

        var labels = (text.EndsWith('.') ? text[..^1] : text).ToString().Split('.');
        if (text.IsEmpty || text.Length > 254 || labels.Any(l => l.Length is 0 or > 63 || l.AsSpan().IndexOfAnyExcept(LabelChars) >= 0))
        {
            error = $"\"{text}\" is not a valid host name";
            return false;
        }

        if (IsNumeric(labels[^1]))
        {
            // Resolvers take 127.1, 0x7f.0.0.1 and 2130706433 as 127.0.0.1: only the one spelling
            // everybody reads alike is accepted, so the host names the address it reaches.
            if (labels.Length != 4 || !labels.All(IsDecimalOctet) || !IPAddress.TryParse(text, out address))
            {
                error = $"\"{text}\" is not an IPv4 address in dotted-quad form (four numbers 0 to 255, e.g. 127.0.0.1)";
                return false;
            }

            name = address.ToString();
            return true;
        }

        name = text.ToString().ToLowerInvariant();
        return true;
    }

    private static bool IsNumeric(string label)
        => label.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0
           || (label.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && label.AsSpan(2).IndexOfAnyExcept("0123456789abcdefABCDEF") < 0);

    private static bool IsDecimalOctet(string label)
        => label.Length is >= 1 and <= 3 && label.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0
           && (label.Length == 1 || label[0] != '0') && int.Parse(label, CultureInfo.InvariantCulture) <= 255;
}

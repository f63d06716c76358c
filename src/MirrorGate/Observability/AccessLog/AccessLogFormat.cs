using System.Text;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// An <c>access_log_format</c> compiled once at start-up into literal and variable segments, so a
/// request's line is written by walking an array, never by parsing or concatenating strings.
/// </summary>
internal sealed class AccessLogFormat
{
    private static readonly Dictionary<string, AccessLogVariable> Variables = new(StringComparer.Ordinal)
    {
        ["remote_addr"] = AccessLogVariable.RemoteAddr,
        ["remote_port"] = AccessLogVariable.RemotePort,
        ["remote_user"] = AccessLogVariable.RemoteUser,
        ["server_addr"] = AccessLogVariable.ServerAddr,
        ["server_port"] = AccessLogVariable.ServerPort,
        ["time_local"] = AccessLogVariable.TimeLocal,
        ["time_iso8601"] = AccessLogVariable.TimeIso8601,
        ["msec"] = AccessLogVariable.Msec,
        ["host"] = AccessLogVariable.Host,
        ["request"] = AccessLogVariable.Request,
        ["request_method"] = AccessLogVariable.RequestMethod,
        ["request_uri"] = AccessLogVariable.RequestUri,
        ["uri"] = AccessLogVariable.Uri,
        ["document_uri"] = AccessLogVariable.Uri,
        ["args"] = AccessLogVariable.Args,
        ["query_string"] = AccessLogVariable.Args,
        ["server_protocol"] = AccessLogVariable.ServerProtocol,
        ["scheme"] = AccessLogVariable.Scheme,
        ["status"] = AccessLogVariable.Status,
        ["body_bytes_sent"] = AccessLogVariable.BodyBytesSent,
        ["bytes_sent"] = AccessLogVariable.BytesSent,
        ["request_length"] = AccessLogVariable.RequestLength,
        ["request_time"] = AccessLogVariable.RequestTime,
        ["connection"] = AccessLogVariable.Connection,
        ["request_id"] = AccessLogVariable.RequestId,
        ["apisix_request_id"] = AccessLogVariable.RequestId,
        ["hostname"] = AccessLogVariable.Hostname,
        ["pid"] = AccessLogVariable.Pid,
        ["upstream_addr"] = AccessLogVariable.UpstreamAddr,
        ["upstream_status"] = AccessLogVariable.UpstreamStatus,
        ["upstream_response_time"] = AccessLogVariable.UpstreamResponseTime,
        ["upstream_scheme"] = AccessLogVariable.UpstreamScheme,
        ["upstream_host"] = AccessLogVariable.UpstreamHost,
        ["upstream_uri"] = AccessLogVariable.UpstreamUri,
        ["route_id"] = AccessLogVariable.RouteId,
        ["route_name"] = AccessLogVariable.RouteName,
        ["service_id"] = AccessLogVariable.ServiceId,
        ["balancer_ip"] = AccessLogVariable.BalancerIp,
        ["balancer_port"] = AccessLogVariable.BalancerPort,
        ["consumer_name"] = AccessLogVariable.ConsumerName,
    };

    private AccessLogFormat(AccessLogSegment[] segments)
    {
        Segments = segments;
        NeedsByteCounts = Array.Exists(segments, s => s.Literal is null
            && s.Variable is AccessLogVariable.BodyBytesSent or AccessLogVariable.BytesSent or AccessLogVariable.RequestLength);
    }

    public AccessLogSegment[] Segments { get; }

    /// <summary>True when a variable needs the body bytes counted (<c>$body_bytes_sent</c>, <c>$bytes_sent</c>, <c>$request_length</c>).</summary>
    public bool NeedsByteCounts { get; }

    /// <summary>Every plain variable name this build knows (the families <c>http_</c>, <c>sent_http_</c>, <c>arg_</c> aside), for the docs and tests.</summary>
    public static IReadOnlyCollection<string> KnownNames => Variables.Keys;

    /// <summary>
    /// Compiles a format. As in APISIX, whose value nginx reads inside single quotes, <c>\"</c>,
    /// <c>\'</c>, <c>\\</c>, <c>\t</c>, <c>\r</c> and <c>\n</c> are unescaped first; line breaks at
    /// the end (a YAML block scalar's) are dropped, since every line ends with one already.
    /// </summary>
    /// <exception cref="FormatException">An unknown variable or a <c>$</c> without a name; the message names it.</exception>
    public static AccessLogFormat Parse(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var text = Unescape(format).TrimEnd('\n', '\r');
        var segments = new List<AccessLogSegment>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c != '$')
            {
                literal.Append(c);
                i++;
                continue;
            }

            var (name, next) = ReadName(text, i);
            if (literal.Length > 0)
            {
                segments.Add(AccessLogSegment.Text(Encoding.UTF8.GetBytes(literal.ToString())));
                literal.Clear();
            }

            segments.Add(Resolve(name));
            i = next;
        }

        if (literal.Length > 0)
        {
            segments.Add(AccessLogSegment.Text(Encoding.UTF8.GetBytes(literal.ToString())));
        }

        return new AccessLogFormat([.. segments]);
    }

    /// <summary>nginx's names: <c>$name</c> of letters, digits and <c>_</c>, or <c>${name}</c>; case does not matter.</summary>
    private static (string Name, int Next) ReadName(string text, int dollar)
    {
        var start = dollar + 1;
        if (start < text.Length && text[start] == '{')
        {
            var close = text.IndexOf('}', start + 1);
            if (close < 0)
            {
                throw new FormatException($"the variable at offset {dollar} has no closing '}}'");
            }

            var braced = text[(start + 1)..close];
            if (braced.Length == 0 || !braced.All(IsNameChar))
            {
                throw new FormatException($"invalid variable name \"${{{braced}}}\"");
            }

            return (braced.ToLowerInvariant(), close + 1);
        }

        var end = start;
        while (end < text.Length && IsNameChar(text[end]))
        {
            end++;
        }

        if (end == start)
        {
            throw new FormatException($"'$' at offset {dollar} is not followed by a variable name");
        }

        return (text[start..end].ToLowerInvariant(), end);
    }

    private static AccessLogSegment Resolve(string name)
    {
        if (Variables.TryGetValue(name, out var variable))
        {
            return AccessLogSegment.Of(variable);
        }

        if (name.StartsWith("sent_http_", StringComparison.Ordinal) && name.Length > "sent_http_".Length)
        {
            return AccessLogSegment.Of(AccessLogVariable.ResponseHeader, HeaderName(name["sent_http_".Length..]));
        }

        if (name.StartsWith("http_", StringComparison.Ordinal) && name.Length > "http_".Length)
        {
            return AccessLogSegment.Of(AccessLogVariable.RequestHeader, HeaderName(name["http_".Length..]));
        }

        if (name.StartsWith("arg_", StringComparison.Ordinal) && name.Length > "arg_".Length)
        {
            return AccessLogSegment.Of(AccessLogVariable.QueryArgument, name["arg_".Length..]);
        }

        throw new FormatException($"unknown variable \"${name}\" (see docs/observability.md#access-log for the supported ones)");
    }

    /// <summary>nginx's <c>$http_user_agent</c> names the header <c>User-Agent</c>: underscores stand for dashes.</summary>
    private static string HeaderName(string suffix) => suffix.Replace('_', '-');

    private static bool IsNameChar(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_';

    private static string Unescape(string format)
    {
        if (!format.Contains('\\', StringComparison.Ordinal))
        {
            return format;
        }

        var text = new StringBuilder(format.Length);
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '\\' && i + 1 < format.Length)
            {
                var replaced = format[i + 1] switch
                {
                    '"' => '"',
                    '\'' => '\'',
                    '\\' => '\\',
                    't' => '\t',
                    'r' => '\r',
                    'n' => '\n',
                    _ => (char?)null,
                };
                if (replaced is { } r)
                {
                    text.Append(r);
                    i++;
                    continue;
                }
            }

            text.Append(c);
        }

        return text.ToString();
    }
}

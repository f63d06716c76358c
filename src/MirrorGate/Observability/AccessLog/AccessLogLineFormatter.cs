using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using MirrorGate.Configuration;
using MirrorGate.Pipeline;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// Writes one request's line by walking the compiled format: literals are copied, each
/// variable's value is read from the finished exchange and escaped into the line. Values that
/// are absent are written as nginx writes them (<c>-</c>, or nothing with <c>escape=json</c>).
/// </summary>
internal sealed class AccessLogLineFormatter(AccessLogFormat format, AccessLogEscape escape, AccessLogClock clock)
{
    private static readonly string Hostname = Environment.MachineName;
    private static readonly string Pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Most lines fit; a longer one grows its array from the pool.</summary>
    public const int InitialLineCapacity = 512;

    public AccessLogEscape Escape => escape;

    public bool NeedsByteCounts => format.NeedsByteCounts;

    /// <summary>Writes the line, ending in <c>\n</c>, into <paramref name="line"/>.</summary>
    public void Format(ref AccessLogLineBuilder line, in CompletedRequest request)
    {
        var now = clock.Now();
        foreach (var segment in format.Segments)
        {
            if (segment.Literal is { } literal)
            {
                line.AppendAscii(literal);
            }
            else
            {
                WriteVariable(ref line, segment, request, now);
            }
        }

        line.AppendAscii("\n"u8);
    }

    private void WriteVariable(ref AccessLogLineBuilder line, AccessLogSegment segment, in CompletedRequest request, DateTimeOffset now)
    {
        var http = request.Http;
        var proxy = request.Proxy;
        switch (segment.Variable)
        {
            case AccessLogVariable.RemoteAddr:
                WriteAddress(ref line, http.Connection.RemoteIpAddress);
                break;
            case AccessLogVariable.RemotePort:
                line.AppendNumber(http.Connection.RemotePort);
                break;
            case AccessLogVariable.RemoteUser:
                WriteValueOrMissing(ref line, AccessLogRequestValues.BasicAuthUser(http.Request.Headers.Authorization));
                break;
            case AccessLogVariable.ServerAddr:
                WriteAddress(ref line, http.Connection.LocalIpAddress);
                break;
            case AccessLogVariable.ServerPort:
                line.AppendNumber(http.Connection.LocalPort);
                break;
            case AccessLogVariable.TimeLocal:
                line.AppendAscii(clock.TimeLocal(now));
                break;
            case AccessLogVariable.TimeIso8601:
                line.AppendAscii(clock.TimeIso8601(now));
                break;
            case AccessLogVariable.Msec:
                var ms = now.ToUnixTimeMilliseconds();
                line.AppendNumber(ms / 1000);
                line.AppendAscii("."u8);
                var dest = line.Reserve(3);
                Utf8Formatter.TryFormat((int)(ms % 1000), dest, out var written, new StandardFormat('D', 3));
                line.Advance(written);
                break;
            case AccessLogVariable.Host:
                WriteHost(ref line, http);
                break;
            case AccessLogVariable.Request:
                line.AppendValue(http.Request.Method);
                line.AppendAscii(" "u8);
                line.AppendValue(AccessLogRequestValues.RawTarget(http));
                line.AppendAscii(" "u8);
                line.AppendValue(AccessLogRequestValues.ServerProtocol(http.Request.Protocol));
                break;
            case AccessLogVariable.RequestMethod:
                line.AppendValue(http.Request.Method);
                break;
            case AccessLogVariable.RequestUri:
                line.AppendValue(AccessLogRequestValues.RawTarget(http));
                break;
            case AccessLogVariable.Uri:
                line.AppendValue(http.Request.PathBase.HasValue ? http.Request.PathBase.Add(http.Request.Path).Value : http.Request.Path.Value);
                break;
            case AccessLogVariable.Args:
                var query = http.Request.QueryString.Value;
                if (string.IsNullOrEmpty(query))
                {
                    line.AppendMissing();
                }
                else
                {
                    line.AppendValue(query.AsSpan(1));
                }

                break;
            case AccessLogVariable.ServerProtocol:
                line.AppendValue(AccessLogRequestValues.ServerProtocol(http.Request.Protocol));
                break;
            case AccessLogVariable.Scheme:
                line.AppendValue(http.Request.Scheme);
                break;
            case AccessLogVariable.Status:
                line.AppendNumber(AccessLogRequestValues.Status(http));
                break;
            case AccessLogVariable.BodyBytesSent:
                line.AppendNumber(request.ResponseBodyBytes);
                break;
            case AccessLogVariable.BytesSent:
                line.AppendNumber(HeadSize.Response(http) + request.ResponseBodyBytes);
                break;
            case AccessLogVariable.RequestLength:
                line.AppendNumber(HeadSize.Request(http) + request.RequestBodyBytes);
                break;
            case AccessLogVariable.RequestTime:
                line.AppendSeconds(request.RequestTime);
                break;
            case AccessLogVariable.Connection:
                line.AppendValue(http.Connection.Id);
                break;
            case AccessLogVariable.RequestId:
                line.AppendValue(http.TraceIdentifier);
                break;
            case AccessLogVariable.Hostname:
                line.AppendValue(Hostname);
                break;
            case AccessLogVariable.Pid:
                line.AppendAscii(Pid);
                break;
            case AccessLogVariable.UpstreamAddr:
                WriteAttempts(ref line, proxy, static (ref AccessLogLineBuilder l, UpstreamAttempt a) => l.AppendValue(a.Node.Authority));
                break;
            case AccessLogVariable.UpstreamStatus:
                WriteAttempts(ref line, proxy, static (ref AccessLogLineBuilder l, UpstreamAttempt a) => l.AppendNumber(a.Status));
                break;
            case AccessLogVariable.UpstreamResponseTime:
                WriteAttempts(ref line, proxy, static (ref AccessLogLineBuilder l, UpstreamAttempt a) => l.AppendSeconds(a.Elapsed));
                break;
            case AccessLogVariable.UpstreamScheme:
                // APISIX sets it to 'http', then to the upstream's scheme once it proxies.
                line.AppendValue(proxy?.Node is not null ? proxy.Route.Upstream?.Scheme ?? "http" : "http");
                break;
            case AccessLogVariable.UpstreamHost:
                // APISIX sets it to $http_host, then to the Host header the upstream gets.
                line.AppendValue(proxy?.UpstreamHost ?? http.Request.Headers.Host.ToString());
                break;
            case AccessLogVariable.UpstreamUri:
                // APISIX's $upstream_uri stays '' unless a plugin rewrote the URI (proxy-rewrite);
                // the request then goes upstream with the client's own URI.
                line.AppendValue(proxy?.UpstreamUri);
                break;
            case AccessLogVariable.RouteId:
                // A request that matched no route but was counted by a global rule has a context with the id "": nginx's "-".
                WriteValueOrMissing(ref line, proxy?.Route.Id is { Length: > 0 } routeId ? routeId : null);
                break;
            case AccessLogVariable.RouteName:
                WriteValueOrMissing(ref line, AccessLogRequestValues.StringProperty(proxy?.Route.Config, "name"));
                break;
            case AccessLogVariable.ServiceId:
                WriteValueOrMissing(ref line, AccessLogRequestValues.IdProperty(proxy?.Route.Config, "service_id"));
                break;
            case AccessLogVariable.ConsumerName:
                WriteValueOrMissing(ref line, proxy?.Consumer?.Name);
                break;
            case AccessLogVariable.BalancerIp:
                WriteValueOrMissing(ref line, proxy?.LastAttempt?.Node.Host);
                break;
            case AccessLogVariable.BalancerPort:
                if (proxy?.LastAttempt is { } last)
                {
                    line.AppendNumber(last.Node.Port);
                }
                else
                {
                    line.AppendMissing();
                }

                break;
            case AccessLogVariable.RequestHeader:
                WriteHeader(ref line, http.Request.Headers, segment.Name!);
                break;
            case AccessLogVariable.ResponseHeader:
                WriteHeader(ref line, http.Response.Headers, segment.Name!);
                break;
            case AccessLogVariable.QueryArgument:
                WriteValueOrMissing(ref line, AccessLogRequestValues.QueryArgument(http.Request.QueryString.Value, segment.Name!));
                break;
            default:
                line.AppendMissing();
                break;
        }
    }

    private delegate void AttemptWriter(ref AccessLogLineBuilder line, UpstreamAttempt attempt);

    /// <summary>nginx's lists for retried requests: one item per attempt, <c>", "</c> between them; <c>-</c> when nothing was forwarded.</summary>
    private static void WriteAttempts(ref AccessLogLineBuilder line, ProxyContext? proxy, AttemptWriter write)
    {
        if (proxy?.LastAttempt is not { } last)
        {
            line.AppendMissing();
            return;
        }

        if (proxy.EarlierAttempts is { } earlier)
        {
            foreach (var attempt in earlier)
            {
                write(ref line, attempt);
                line.AppendAscii(", "u8);
            }
        }

        write(ref line, last);
    }

    private static void WriteValueOrMissing(ref AccessLogLineBuilder line, string? value)
    {
        if (value is null)
        {
            line.AppendMissing();
        }
        else
        {
            line.AppendValue(value);
        }
    }

    private static void WriteAddress(ref AccessLogLineBuilder line, IPAddress? address)
    {
        if (address is null)
        {
            line.AppendMissing();
            return;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<char> text = stackalloc char[64];
        if (address.TryFormat(text, out var written))
        {
            line.AppendValue(text[..written]);
        }
        else
        {
            line.AppendValue(address.ToString());
        }
    }

    /// <summary>nginx's <c>$host</c>: the request's host name in lower case, without the port.</summary>
    private static void WriteHost(ref AccessLogLineBuilder line, HttpContext http)
    {
        var host = http.Request.Host.Host;
        if (string.IsNullOrEmpty(host))
        {
            WriteAddress(ref line, http.Connection.LocalIpAddress);
            return;
        }

        Span<char> lower = host.Length <= 256 ? stackalloc char[host.Length] : new char[host.Length];
        host.AsSpan().ToLowerInvariant(lower);
        line.AppendValue(lower);
    }

    /// <summary>Several fields of one header are joined as nginx (1.23+) joins them: <c>", "</c>, or <c>"; "</c> for Cookie.</summary>
    private static void WriteHeader(ref AccessLogLineBuilder line, IHeaderDictionary headers, string name)
    {
        if (!headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            line.AppendMissing();
            return;
        }

        if (values.Count == 1)
        {
            line.AppendValue(values[0]);
            return;
        }

        var separator = string.Equals(name, "cookie", StringComparison.OrdinalIgnoreCase) ? "; "u8 : ", "u8;
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                line.AppendAscii(separator);
            }

            line.AppendValue(values[i]);
        }
    }
}

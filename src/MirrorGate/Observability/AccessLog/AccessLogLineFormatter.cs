using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
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
                WriteValueOrMissing(ref line, BasicAuthUser(http.Request.Headers.Authorization));
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
                line.AppendValue(RawTarget(http));
                line.AppendAscii(" "u8);
                line.AppendValue(ServerProtocol(http.Request.Protocol));
                break;
            case AccessLogVariable.RequestMethod:
                line.AppendValue(http.Request.Method);
                break;
            case AccessLogVariable.RequestUri:
                line.AppendValue(RawTarget(http));
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
                line.AppendValue(ServerProtocol(http.Request.Protocol));
                break;
            case AccessLogVariable.Scheme:
                line.AppendValue(http.Request.Scheme);
                break;
            case AccessLogVariable.Status:
                line.AppendNumber(Status(http));
                break;
            case AccessLogVariable.BodyBytesSent:
                line.AppendNumber(request.ResponseBodyBytes);
                break;
            case AccessLogVariable.BytesSent:
                line.AppendNumber(AccessLogSizes.ResponseHead(http) + request.ResponseBodyBytes);
                break;
            case AccessLogVariable.RequestLength:
                line.AppendNumber(AccessLogSizes.RequestHead(http, RawTarget(http), ServerProtocol(http.Request.Protocol)) + request.RequestBodyBytes);
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
                WriteValueOrMissing(ref line, proxy?.Route.Id);
                break;
            case AccessLogVariable.RouteName:
                WriteValueOrMissing(ref line, StringProperty(proxy?.Route.Config, "name"));
                break;
            case AccessLogVariable.ServiceId:
                WriteValueOrMissing(ref line, IdProperty(proxy?.Route.Config, "service_id"));
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
                WriteValueOrMissing(ref line, QueryArgument(http.Request.QueryString.Value, segment.Name!));
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

    /// <summary>The request target as the client sent it (nginx's <c>$request_uri</c>).</summary>
    private static string RawTarget(HttpContext http)
        => http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : string.Concat(http.Request.PathBase.ToUriComponent(), http.Request.Path.ToUriComponent(), http.Request.QueryString.Value);

    /// <summary>nginx names HTTP/2 and HTTP/3 <c>HTTP/2.0</c> and <c>HTTP/3.0</c>.</summary>
    private static string ServerProtocol(string protocol) => protocol switch
    {
        "HTTP/2" => "HTTP/2.0",
        "HTTP/3" => "HTTP/3.0",
        _ => protocol,
    };

    /// <summary>nginx logs 499 when the client went away before it was answered.</summary>
    private static int Status(HttpContext http)
        => !http.Response.HasStarted && http.RequestAborted.IsCancellationRequested ? 499 : http.Response.StatusCode;

    /// <summary>nginx's <c>$remote_user</c>: the user name of a Basic <c>Authorization</c> header.</summary>
    private static string? BasicAuthUser(StringValues authorization)
    {
        var value = authorization.Count == 1 ? authorization[0] : null;
        if (value is null || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : decoded[..colon];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>nginx's <c>$arg_NAME</c>: the first argument of that name, as sent (not decoded); names compare ignoring case.</summary>
    private static string? QueryArgument(string? query, string name)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        var span = query.AsSpan(1);
        while (!span.IsEmpty)
        {
            var amp = span.IndexOf('&');
            var pair = amp < 0 ? span : span[..amp];
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return eq < 0 ? "" : pair[(eq + 1)..].ToString();
            }

            span = amp < 0 ? default : span[(amp + 1)..];
        }

        return null;
    }

    private static string? StringProperty(JsonObject? config, string name)
        => config is not null && config.TryGetPropertyValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string? IdProperty(JsonObject? config, string name)
        => config is not null && config.TryGetPropertyValue(name, out var node) && node is JsonValue value
            ? value.TryGetValue<string>(out var text) ? text : value.ToJsonString()
            : null;
}

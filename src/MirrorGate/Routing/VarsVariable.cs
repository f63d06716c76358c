using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace MirrorGate.Routing;

/// <summary>
/// A variable a <c>vars</c> condition reads, resolved once at compile time into a kind and a key so evaluation
/// does no string parsing. Names follow nginx/APISIX; an unknown name reads as absent (nil), as in APISIX.
/// </summary>
internal sealed class VarsVariable
{
    private readonly Kind _kind;
    private readonly string _key;

    private VarsVariable(string name, Kind kind, string key)
    {
        Name = name;
        _kind = kind;
        _key = key;
    }

    private enum Kind
    {
        Unknown,
        Header,
        Arg,
        Cookie,
        Uri,
        RequestUri,
        Host,
        RemoteAddr,
        RemotePort,
        ServerPort,
        RequestMethod,
        Scheme,
        QueryString,
        Status,
        ConsumerName,
        BalancerIp,
        BalancerPort,
    }

    public string Name { get; }

    public static VarsVariable Parse(string? name)
    {
        if (name is null)
        {
            return new VarsVariable(string.Empty, Kind.Unknown, string.Empty);
        }

        // nginx maps header names to variables by lower-casing and turning '-' into '_'; we go back the other way.
        if (name.StartsWith("http_", StringComparison.Ordinal))
        {
            return new VarsVariable(name, Kind.Header, name[5..].Replace('_', '-'));
        }

        if (name.StartsWith("arg_", StringComparison.Ordinal))
        {
            return new VarsVariable(name, Kind.Arg, name[4..]);
        }

        if (name.StartsWith("cookie_", StringComparison.Ordinal))
        {
            return new VarsVariable(name, Kind.Cookie, name[7..]);
        }

        var kind = name switch
        {
            "uri" => Kind.Uri,
            "request_uri" => Kind.RequestUri,
            "host" => Kind.Host,
            "remote_addr" => Kind.RemoteAddr,
            "remote_port" => Kind.RemotePort,
            "server_port" => Kind.ServerPort,
            "request_method" => Kind.RequestMethod,
            "scheme" => Kind.Scheme,
            "query_string" or "args" => Kind.QueryString,
            // The response's status: what response-rewrite's vars test (APISIX evaluates them in header_filter).
            "status" => Kind.Status,
            // The consumer an auth plugin attached; nil before (route matching) or without one, as APISIX.
            "consumer_name" => Kind.ConsumerName,
            // The node the balancer picked for the current try; nil until one is picked (route matching), as APISIX.
            "balancer_ip" => Kind.BalancerIp,
            "balancer_port" => Kind.BalancerPort,
            _ => Kind.Unknown,
        };
        return new VarsVariable(name, kind, string.Empty);
    }

    /// <summary>The scalar value (nil = null): the first query value, multiple headers joined with ", " as nginx does.</summary>
    public string? GetValue(HttpContext context)
    {
        var request = context.Request;
        switch (_kind)
        {
            case Kind.Header:
                return request.Headers.TryGetValue(_key, out var header) ? header.Count == 1 ? header[0] : string.Join(", ", header.ToArray()) : null;
            case Kind.Arg:
                return request.Query.TryGetValue(_key, out var arg) ? arg[0] : null;
            case Kind.Cookie:
                return request.Cookies.TryGetValue(_key, out var cookie) ? cookie : null;
            case Kind.Uri:
                return (request.PathBase + request.Path).Value is { Length: > 0 } uri ? uri : "/";
            case Kind.RequestUri:
                var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
                return string.IsNullOrEmpty(raw) ? (request.PathBase + request.Path + request.QueryString).ToString() : raw;
            case Kind.Host:
                return RequestHost.WithoutPort(request.Host.Value).ToString().ToLowerInvariant();
            case Kind.RemoteAddr:
                var address = context.Connection.RemoteIpAddress;
                return address is null ? null : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
            case Kind.RemotePort:
                return context.Connection.RemotePort.ToString(CultureInfo.InvariantCulture);
            case Kind.ServerPort:
                return context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture);
            case Kind.RequestMethod:
                return request.Method;
            case Kind.Scheme:
                return request.Scheme;
            case Kind.QueryString:
                return request.QueryString.HasValue && request.QueryString.Value!.Length > 1 ? request.QueryString.Value[1..] : null;
            case Kind.Status:
                return context.Response.StatusCode.ToString(CultureInfo.InvariantCulture);
            case Kind.ConsumerName:
                return context.Features.Get<Pipeline.ProxyContext>()?.Consumer?.Name;
            case Kind.BalancerIp:
                return context.Features.Get<Pipeline.ProxyContext>()?.Node?.Host;
            case Kind.BalancerPort:
                return context.Features.Get<Pipeline.ProxyContext>()?.Node?.Port.ToString(CultureInfo.InvariantCulture);
            default:
                return null;
        }
    }

    /// <summary>
    /// Every value, for <c>has</c>: all occurrences of a repeated query argument or header, else the scalar.
    /// (APISIX's own string variables never satisfy <c>has</c>; treating repeats as the list is our extension.)
    /// </summary>
    public StringValues GetValues(HttpContext context) => _kind switch
    {
        Kind.Header => context.Request.Headers.TryGetValue(_key, out var header) ? header : StringValues.Empty,
        Kind.Arg => context.Request.Query.TryGetValue(_key, out var arg) ? arg : StringValues.Empty,
        _ => GetValue(context) is { } value ? new StringValues(value) : StringValues.Empty,
    };
}

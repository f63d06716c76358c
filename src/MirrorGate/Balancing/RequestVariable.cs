using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MirrorGate.Balancing;

/// <summary>
/// One nginx/APISIX request variable (<c>uri</c>, <c>remote_addr</c>, <c>arg_id</c>,
/// <c>http_x_user</c>, <c>cookie_sid</c>, ...) resolved straight into a hash, so hashing a
/// request key allocates nothing beyond what ASP.NET caches (parsed query, cookies).
/// </summary>
internal sealed class RequestVariable
{
    private static readonly string MachineName = Environment.MachineName;

    private readonly Kind _kind;
    private readonly string _argument;

    private RequestVariable(Kind kind, string argument = "")
    {
        _kind = kind;
        _argument = argument;
    }

    public static readonly RequestVariable RemoteAddress = new(Kind.RemoteAddr);

    /// <summary>Parses a variable name; names we cannot resolve yield a variable that is always missing.</summary>
    public static RequestVariable Parse(string name) => name switch
    {
        "uri" => new(Kind.Uri),
        "request_uri" => new(Kind.RequestUri),
        "query_string" or "args" => new(Kind.QueryString),
        // nginx's $host is the request's host, lowercased, without port. APISIX's server block is
        // "server_name _", which would send every request to one node; the request's host is the
        // useful reading of server_name here.
        "host" or "server_name" => new(Kind.Host),
        "hostname" => new(Kind.Hostname),
        "remote_addr" => new(Kind.RemoteAddr),
        "remote_port" => new(Kind.RemotePort),
        "server_addr" => new(Kind.ServerAddr),
        "server_port" => new(Kind.ServerPort),
        "request_method" => new(Kind.Method),
        "scheme" => new(Kind.Scheme),
        // The consumer an auth plugin attached (APISIX's ctx.consumer_name); missing without one.
        "consumer_name" => new(Kind.ConsumerName),
        _ when name.StartsWith("arg_", StringComparison.Ordinal) => new(Kind.Arg, name[4..]),
        // APISIX treats '-' and '_' alike in http_* names; ASP.NET header lookup ignores case.
        _ when name.StartsWith("http_", StringComparison.Ordinal) => new(Kind.Header, name[5..].Replace('_', '-')),
        _ when name.StartsWith("cookie_", StringComparison.Ordinal) => new(Kind.Cookie, name[7..]),
        _ => new(Kind.Missing),
    };

    /// <summary>The header's name when the variable is a request header (<c>http_x_user_id</c>), else null.</summary>
    public string? HeaderName => _kind == Kind.Header ? _argument : null;

    /// <summary>False for a name no request can have a value for (<see cref="Parse"/> did not know it).</summary>
    public bool IsKnown => _kind != Kind.Missing && (_kind is not (Kind.Arg or Kind.Header or Kind.Cookie) || _argument.Length > 0);

    public static RequestVariable Header(string name) => new(Kind.Header, name.Replace('_', '-'));

    public static RequestVariable Cookie(string name) => new(Kind.Cookie, name);

    /// <summary>Appends the variable's value to <paramref name="hash"/>; false (nothing appended) when it is missing.</summary>
    public bool TryAppend(HttpContext context, ref StableHash hash)
    {
        var request = context.Request;
        switch (_kind)
        {
            case Kind.Uri:
                hash.Append(request.PathBase.Value);
                hash.Append(request.Path.Value);
                return true;
            case Kind.RequestUri:
                var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
                if (!string.IsNullOrEmpty(raw))
                {
                    hash.Append(raw);
                    return true;
                }

                hash.Append(request.PathBase.Value);
                hash.Append(request.Path.Value);
                hash.Append(request.QueryString.Value);
                return true;
            case Kind.QueryString:
                var query = request.QueryString.Value;
                if (string.IsNullOrEmpty(query) || query.Length < 2)
                {
                    return false;
                }

                hash.Append(query.AsSpan(1));
                return true;
            case Kind.Host:
                var host = request.Host.Host;
                if (string.IsNullOrEmpty(host))
                {
                    return false;
                }

                hash.AppendLowerInvariant(host);
                return true;
            case Kind.Hostname:
                hash.Append(MachineName);
                return true;
            case Kind.RemoteAddr:
                return TryAppendAddress(context.Connection.RemoteIpAddress, ref hash);
            case Kind.RemotePort:
                return TryAppendNumber(context.Connection.RemotePort, context.Connection.RemoteIpAddress is not null, ref hash);
            case Kind.ServerAddr:
                return TryAppendAddress(context.Connection.LocalIpAddress, ref hash);
            case Kind.ServerPort:
                return TryAppendNumber(context.Connection.LocalPort, context.Connection.LocalIpAddress is not null, ref hash);
            case Kind.Method:
                hash.Append(request.Method);
                return true;
            case Kind.Scheme:
                hash.Append(request.Scheme);
                return true;
            case Kind.Arg:
                return TryAppendFirst(request.Query[_argument], ref hash);
            case Kind.Header:
                return TryAppendFirst(request.Headers[_argument], ref hash);
            case Kind.ConsumerName:
                if (context.Features.Get<Pipeline.ProxyContext>()?.Consumer?.Name is not { } consumer)
                {
                    return false;
                }

                hash.Append(consumer);
                return true;
            case Kind.Cookie:
                var cookie = request.Cookies[_argument];
                if (cookie is null)
                {
                    return false;
                }

                hash.Append(cookie);
                return true;
            default:
                return false;
        }
    }

    private static bool TryAppendFirst(Microsoft.Extensions.Primitives.StringValues values, ref StableHash hash)
    {
        if (values.Count == 0)
        {
            return false;
        }

        // nginx hands out the first occurrence of a repeated header or argument.
        hash.Append(values[0]);
        return true;
    }

    private static bool TryAppendAddress(IPAddress? address, ref StableHash hash)
    {
        if (address is null)
        {
            return false;
        }

        // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; nginx shows a.b.c.d.
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<char> buffer = stackalloc char[64];
        if (!address.TryFormat(buffer, out var written))
        {
            return false;
        }

        hash.Append(buffer[..written]);
        return true;
    }

    private static bool TryAppendNumber(int value, bool known, ref StableHash hash)
    {
        if (!known)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[11];
        value.TryFormat(buffer, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        hash.Append(buffer[..written]);
        return true;
    }

    private enum Kind
    {
        Missing,
        Uri,
        RequestUri,
        QueryString,
        Host,
        Hostname,
        RemoteAddr,
        RemotePort,
        ServerAddr,
        ServerPort,
        Method,
        Scheme,
        Arg,
        Header,
        Cookie,
        ConsumerName,
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Pipeline;

/// <summary>
/// The X-Forwarded-* and X-Real-IP values APISIX sends upstream, computed once per request so the
/// primary and its mirror carry the same ones: X-Forwarded-For appends the client address
/// (nginx's <c>$proxy_add_x_forwarded_for</c>); Proto, Host and Port keep a value the client sent,
/// else the gateway's own.
/// </summary>
internal sealed class ForwardedHeaders
{
    public const string XForwardedFor = "X-Forwarded-For";
    public const string XForwardedProto = "X-Forwarded-Proto";
    public const string XForwardedHost = "X-Forwarded-Host";
    public const string XForwardedPort = "X-Forwarded-Port";
    public const string XRealIp = "X-Real-IP";

    private ForwardedHeaders(string forwardedFor, string realIp, string proto, string host, string port)
    {
        For = forwardedFor;
        RealIp = realIp;
        Proto = proto;
        Host = host;
        Port = port;
    }

    public string For { get; }

    public string RealIp { get; }

    public string Proto { get; }

    public string Host { get; }

    public string Port { get; }

    public static ForwardedHeaders Compute(HttpContext context)
    {
        var request = context.Request;
        var remote = context.Connection.RemoteIpAddress;
        if (remote is { IsIPv4MappedToIPv6: true })
        {
            remote = remote.MapToIPv4();
        }

        var realIp = remote?.ToString() ?? "";
        var existingFor = request.Headers[XForwardedFor].ToString();
        var forwardedFor = existingFor.Length == 0 ? realIp : $"{existingFor}, {realIp}";

        var proto = FirstOr(request.Headers[XForwardedProto], request.Scheme);
        var host = FirstOr(request.Headers[XForwardedHost], request.Host.Host.ToLowerInvariant());
        var port = FirstOr(request.Headers[XForwardedPort], context.Connection.LocalPort.ToString(CultureInfo.InvariantCulture));
        return new ForwardedHeaders(forwardedFor, realIp, proto, host, port);
    }

    /// <summary>Whether a header is one of those this class writes (so a copy skips the client's value).</summary>
    public static bool IsForwardedHeader(string name)
        => name.Equals(XForwardedFor, StringComparison.OrdinalIgnoreCase)
           || name.Equals(XForwardedProto, StringComparison.OrdinalIgnoreCase)
           || name.Equals(XForwardedHost, StringComparison.OrdinalIgnoreCase)
           || name.Equals(XForwardedPort, StringComparison.OrdinalIgnoreCase)
           || name.Equals(XRealIp, StringComparison.OrdinalIgnoreCase);

    private static string FirstOr(Microsoft.Extensions.Primitives.StringValues values, string fallback)
        => values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0]! : fallback;
}

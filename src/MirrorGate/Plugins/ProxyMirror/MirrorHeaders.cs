using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// The headers a mirror receives: the client's headers as the upstream gets them (hop-by-hop,
/// Host and Content-Length left to the mirror connection; X-Forwarded-* and X-Real-IP as the
/// gateway writes them for the upstream).
/// </summary>
internal static class MirrorHeaders
{
    // The upstream request drops the client's X-Forwarded-Prefix (the gateway adds no prefix), so
    // the mirror must not carry it either.
    private const string XForwardedPrefix = "X-Forwarded-Prefix";

    public static KeyValuePair<string, string[]>[] Freeze(ProxyContext context, bool isGrpc)
    {
        var headers = context.HttpContext.Request.Headers;
        var connectionTokens = headers.Connection;
        var result = new List<KeyValuePair<string, string[]>>(headers.Count + 5);
        foreach (var (name, values) in headers)
        {
            if (HopByHopHeaders.Contains(name)
                || ForwardedHeaders.IsForwardedHeader(name)
                || name.Equals(XForwardedPrefix, StringComparison.OrdinalIgnoreCase)
                || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Expect", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith(':')
                || IsListedIn(connectionTokens, name))
            {
                continue;
            }

            result.Add(new(name, values.ToArray()!));
        }

        var forwarded = context.Forwarded;
        result.Add(new(ForwardedHeaders.XForwardedFor, [forwarded.For]));
        result.Add(new(ForwardedHeaders.XRealIp, [forwarded.RealIp]));
        result.Add(new(ForwardedHeaders.XForwardedProto, [forwarded.Proto]));
        result.Add(new(ForwardedHeaders.XForwardedHost, [forwarded.Host]));
        result.Add(new(ForwardedHeaders.XForwardedPort, [forwarded.Port]));
        if (isGrpc)
        {
            // gRPC servers require it; it is hop-by-hop so the copy above left it out.
            result.Add(new("TE", ["trailers"]));
        }

        return result.ToArray();
    }

    private static bool IsListedIn(Microsoft.Extensions.Primitives.StringValues connection, string name)
    {
        foreach (var value in connection)
        {
            if (value is null)
            {
                continue;
            }

            foreach (var token in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (token.Equals(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}

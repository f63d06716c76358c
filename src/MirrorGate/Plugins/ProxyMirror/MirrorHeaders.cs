using MirrorGate.Mirroring;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// The headers a mirror receives, for both lanes (the HTTP/1.1 writer and the gRPC sender): the
/// client's headers as the upstream gets them (hop-by-hop ones and those named in Connection
/// left out, Host and Content-Length left to the mirror connection; X-Forwarded-* and X-Real-IP
/// as the gateway writes them for the upstream), then the target's <c>headers</c> edits, plus
/// the node's mirror marker (which no edit can remove or overwrite).
/// </summary>
internal static class MirrorHeaders
{
    // The upstream request drops the client's X-Forwarded-Prefix (the gateway adds no prefix), so
    // the mirror must not carry it either.
    private const string XForwardedPrefix = "X-Forwarded-Prefix";

    public static KeyValuePair<string, string[]>[] Freeze(ProxyContext context, bool isGrpc, MirrorMarker marker, MirrorHeaderEdits? edits = null)
    {
        var headers = context.HttpContext.Request.Headers;
        var listed = headers.Connection.Count > 0 ? HopByHopHeaders.ListedIn(headers.Connection) : null;
        var result = new List<KeyValuePair<string, string[]>>(headers.Count + 6);
        foreach (var (name, values) in headers)
        {
            if (HopByHopHeaders.Contains(name)
                || ForwardedHeaders.IsForwardedHeader(name)
                || name.Equals(XForwardedPrefix, StringComparison.OrdinalIgnoreCase)
                || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Expect", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith(':')
                || marker.IsMarker(name)
                || (listed is not null && listed.Contains(name, StringComparer.OrdinalIgnoreCase)))
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
        if (edits is not null)
        {
            // The X-Forwarded-* written above may be edited too; set names are among the removed.
            result.RemoveAll(h => edits.Removed.Contains(h.Key));
            result.AddRange(edits.Set);
        }

        result.Add(marker.Header);
        if (isGrpc)
        {
            // gRPC servers require it; it is hop-by-hop so the copy above left it out.
            result.Add(new("TE", ["trailers"]));
        }

        return result.ToArray();
    }
}

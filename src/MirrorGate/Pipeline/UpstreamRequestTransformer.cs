using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Forwarder;

namespace MirrorGate.Pipeline;

/// <summary>
/// Shapes the upstream request as APISIX does: the Host header per <c>pass_host</c>, the
/// X-Forwarded-* and X-Real-IP values of <see cref="ForwardedHeaders"/>, and the upstream URI when
/// a plugin rewrote it; on the way back, the node's <c>Server</c> header replaces the upstream's,
/// and a 5xx from the upstream carries X-APISIX-Upstream-Status.
/// </summary>
internal sealed class UpstreamRequestTransformer(ServerHeader server) : HttpTransformer
{
    public const string UpstreamStatusHeader = "X-APISIX-Upstream-Status";

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var context = httpContext.Features.GetRequiredFeature<ProxyContext>();

        // Set before the base call so the forwarder keeps it: YARP would rebuild the target from
        // the decoded path and query, re-escaping it (%2F became %252F, %41 became A). nginx
        // passes the client's request target as sent when nothing set upstream_uri; so do we.
        if ((context.UpstreamUri ?? ClientTarget(httpContext)) is { } target)
        {
            proxyRequest.RequestUri = RawUri.Create(destinationPrefix + target);
        }

        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        RemoveConnectionListed(httpContext.Request.Headers.Connection, proxyRequest);

        var headers = proxyRequest.Headers;
        var forwarded = context.Forwarded;
        headers.Remove(ForwardedHeaders.XForwardedFor);
        headers.Remove(ForwardedHeaders.XForwardedProto);
        headers.Remove(ForwardedHeaders.XForwardedHost);
        headers.Remove(ForwardedHeaders.XForwardedPort);
        headers.Remove(ForwardedHeaders.XRealIp);
        headers.Remove("X-Forwarded-Prefix");
        headers.TryAddWithoutValidation(ForwardedHeaders.XForwardedFor, forwarded.For);
        headers.TryAddWithoutValidation(ForwardedHeaders.XRealIp, forwarded.RealIp);
        headers.TryAddWithoutValidation(ForwardedHeaders.XForwardedProto, forwarded.Proto);
        headers.TryAddWithoutValidation(ForwardedHeaders.XForwardedHost, forwarded.Host);
        headers.TryAddWithoutValidation(ForwardedHeaders.XForwardedPort, forwarded.Port);
        headers.Host = context.UpstreamHost;
    }

    /// <summary>
    /// RFC 9110 §7.6.1: headers the client named in <c>Connection</c> were meant for this hop only
    /// (YARP drops only its fixed list). Removed before the gateway writes its own X-Forwarded-*
    /// and Host, so naming those cannot strip them; Content-Length is left to the body's framing.
    /// A WebSocket's Connection and Upgrade are put back by the forwarder after this transform.
    /// </summary>
    private static void RemoveConnectionListed(StringValues connection, HttpRequestMessage proxyRequest)
    {
        if (connection.Count == 0 || HopByHopHeaders.ListedIn(connection) is not { } listed)
        {
            return;
        }

        foreach (var name in listed)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // Remove throws for a name of the other collection (Content-Type on request headers); Contains does not.
            if (proxyRequest.Headers.NonValidated.Contains(name))
            {
                proxyRequest.Headers.Remove(name);
            }

            if (proxyRequest.Content?.Headers is { } content && content.NonValidated.Contains(name))
            {
                content.Remove(name);
            }
        }
    }

    /// <summary>The origin-form target as the client sent it; null for other forms (absolute, <c>*</c>), left to YARP.</summary>
    private static string? ClientTarget(HttpContext httpContext)
        => httpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/' ? raw : null;

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        httpContext.Response.Headers.Server = server.Value;
        if (proxyResponse is not null && (int)proxyResponse.StatusCode >= 500)
        {
            var context = httpContext.Features.Get<ProxyContext>();
            httpContext.Response.Headers[UpstreamStatusHeader] = context?.FailedAttempts + ((int)proxyResponse.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return result;
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace MirrorGate.Pipeline;

/// <summary>
/// Shapes the upstream request as APISIX does: the Host header per <c>pass_host</c>, the
/// X-Forwarded-* and X-Real-IP values of <see cref="ForwardedHeaders"/>, and the upstream URI when
/// a plugin rewrote it; on the way back, a 5xx from the upstream carries X-APISIX-Upstream-Status.
/// </summary>
internal sealed class UpstreamRequestTransformer : HttpTransformer
{
    public static readonly UpstreamRequestTransformer Instance = new();

    public const string UpstreamStatusHeader = "X-APISIX-Upstream-Status";

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        var context = httpContext.Features.GetRequiredFeature<ProxyContext>();
        if (context.UpstreamUri is { } upstreamUri)
        {
            proxyRequest.RequestUri = RawUri.Create(destinationPrefix + upstreamUri);
        }

        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);

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

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var result = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is not null && (int)proxyResponse.StatusCode >= 500)
        {
            httpContext.Response.Headers[UpstreamStatusHeader] = ((int)proxyResponse.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return result;
    }
}

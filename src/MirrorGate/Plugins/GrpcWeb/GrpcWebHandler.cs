using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyRewrite;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// grpc-web compiled for one route. The access phase answers a preflight <c>OPTIONS</c> (204),
/// refuses other methods (405) and other content types or an unreadable body (400) with APISIX's
/// texts, and otherwise turns the request into gRPC before anything reads it: the method path,
/// <c>Content-Type: application/grpc</c>, the body decoded as it streams.
/// A proxy-mirror copy (taken in before_proxy, after this) therefore gets the gRPC request too.
/// The header filter puts APISIX's CORS headers on every answer and the request's gRPC-Web
/// content type on a converted one.
/// </summary>
internal sealed class GrpcWebHandler(long maxRequestBodySize, string corsAllowHeaders, GrpcWebLog log) : PluginHandler
{
    public const string GrpcContentType = "application/grpc";

    private const string AllowMethods = "POST";

    private const string AllowOrigin = "*";

    private const string ExposeHeaders = "grpc-message,grpc-status";

    private readonly GrpcMethodPath _methodPath = new();

    public override bool HasHeaderFilter => true;

    public override ValueTask<PhaseResult> AccessAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var exchange = new GrpcWebExchange { Mime = request.Headers.ContentType is { Count: 1 } type ? type.ToString() : null };
        http.Features.Set(exchange);
        if (HttpMethods.IsOptions(request.Method))
        {
            return Respond(StatusCodes.Status204NoContent);
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            log.Refused($"request method: `{request.Method}` invalid");
            return Respond(StatusCodes.Status405MethodNotAllowed);
        }

        if (GrpcWebContentTypes.EncodingOf(exchange.Mime) is not { } encoding)
        {
            log.Refused($"request Content-Type: `{request.Headers.ContentType}` invalid");
            return Respond(StatusCodes.Status400BadRequest);
        }

        // APISIX reads the body whole and refuses an empty or too large one before proxying; a
        // declared length lets the same answer come first here too. A body without one is checked
        // as it streams (GrpcWebRequestStream).
        var length = request.ContentLength;
        if (length is 0 || (length is null && http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false))
        {
            log.Refused("failed to read request body, err: the body is empty");
            return Respond(StatusCodes.Status400BadRequest);
        }

        if (length > maxRequestBodySize)
        {
            log.Refused(string.Create(CultureInfo.InvariantCulture, $"failed to read request body, err: request size {length} is greater than the maximum size {maxRequestBodySize} allowed"));
            return Respond(StatusCodes.Status400BadRequest);
        }

        exchange.Encoding = encoding;
        if (_methodPath.For(context.MatchedUri, RequestPath(request)) is { } path)
        {
            var escaped = UpstreamUriEscaping.SafeEncode(path);
            context.RewrittenUri = escaped;
            context.UpstreamUri = escaped + request.QueryString.Value;
        }

        request.Headers.ContentType = GrpcContentType;
        if (encoding == GrpcWebEncoding.Base64 || length is null)
        {
            // The decoded length is known only at the end: the upstream gets the body without one.
            request.Headers.ContentLength = null;
            var body = new GrpcWebRequestStream(request.Body, encoding == GrpcWebEncoding.Base64, maxRequestBodySize, exchange, log);
            request.Body = body;
            http.Response.RegisterForDispose(body);
        }

        if (http.Features.Get<IHttpResponseBodyFeature>() is { } inner && !http.Response.HasStarted)
        {
            var converted = new GrpcWebResponseBody(inner, http.Response, exchange, http.Features.Get<IDeferredResponseBody>());
            http.Features.Set<IHttpResponseBodyFeature>(converted);
            http.Features.Set<IDeferredResponseBody>(converted);
            http.Features.Set<IHttpResponseTrailersFeature>(exchange);
        }

        return PhaseResult.ContinueTask;
    }

    /// <summary>APISIX's header_filter, after every other plugin's header edits.</summary>
    public override void HeaderFilter(ProxyContext context)
    {
        var http = context.HttpContext;
        var headers = http.Response.Headers;
        if (HttpMethods.IsOptions(http.Request.Method))
        {
            headers.AccessControlAllowMethods = AllowMethods;
            headers.AccessControlAllowHeaders = corsAllowHeaders;
        }

        // APISIX leaves the origin a cors plugin allowed (ctx.cors_allow_origins).
        if (StringValues.IsNullOrEmpty(headers.AccessControlAllowOrigin))
        {
            headers.AccessControlAllowOrigin = AllowOrigin;
        }

        headers.AccessControlExposeHeaders = ExposeHeaders;
        if (http.Features.Get<GrpcWebExchange>() is { Encoding: not null, RequestBodyFailed: false } exchange)
        {
            headers.ContentType = exchange.Mime;
            headers.ContentLength = null;
        }
    }

    private static ValueTask<PhaseResult> Respond(int status) => new(PhaseResult.Respond(status));

    /// <summary>nginx's <c>$uri</c>, which the route matched: the decoded path (Kestrel keeps <c>%2F</c>, nginx decodes it).</summary>
    private static string RequestPath(HttpRequest request)
    {
        var path = (request.PathBase + request.Path).Value;
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        return path.Contains('%') ? path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) : path;
    }
}

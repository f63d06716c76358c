using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.Cors;

/// <summary>
/// cors compiled for one route. The rewrite phase keeps the client's Origin (a later plugin may
/// change the request's headers) and answers a preflight <c>OPTIONS</c> itself with 200: it is
/// neither proxied nor mirrored. The headers go on whatever answer the client gets (the
/// upstream's, a plugin's rejection, the preflight), set just before it starts, as APISIX's
/// header_filter does; they replace an upstream's own values, except Vary, which is appended.
/// </summary>
internal sealed class CorsHandler(CorsPolicy policy) : PluginHandler
{
    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var origin = http.Request.Headers.Origin is { Count: > 0 } values ? values.ToString() : null;
        var requestHeaders = http.Request.Headers.AccessControlRequestHeaders.ToString();
        http.Response.OnStarting(static state =>
        {
            var (policy, response, origin, requestHeaders) = ((CorsPolicy, HttpResponse, string?, string))state;
            SetHeaders(policy, response.Headers, origin, requestHeaders);
            return Task.CompletedTask;
        }, (policy, http.Response, origin, requestHeaders));

        return HttpMethods.IsOptions(http.Request.Method)
            ? new ValueTask<PhaseResult>(PhaseResult.Respond(StatusCodes.Status200OK))
            : PhaseResult.ContinueTask;
    }

    internal static void SetHeaders(CorsPolicy policy, IHeaderDictionary headers, string? origin, string requestHeaders)
    {
        if (policy.VaryOrigin)
        {
            headers.Append(HeaderNames.Vary, "Origin");
        }

        if (policy.AllowOrigins.Allowed(origin) is { } allowed)
        {
            headers.AccessControlAllowOrigin = allowed;
            headers.AccessControlAllowMethods = policy.AllowMethods;
            headers.AccessControlMaxAge = policy.MaxAge;
            if (!string.IsNullOrEmpty(policy.ExposeHeaders))
            {
                headers.AccessControlExposeHeaders = policy.ExposeHeaders;
            }

            if (policy.AllowHeaders != "**")
            {
                headers.AccessControlAllowHeaders = policy.AllowHeaders;
            }
            else if (requestHeaders.Length > 0)
            {
                headers.AccessControlAllowHeaders = requestHeaders;
            }
            else
            {
                // APISIX sets the request's value, and setting none removes the header.
                headers.Remove(HeaderNames.AccessControlAllowHeaders);
            }

            if (policy.AllowCredential)
            {
                headers.AccessControlAllowCredentials = "true";
            }
        }

        if (policy.TimingAllowOrigins?.Allowed(origin) is { } timing)
        {
            headers["Timing-Allow-Origin"] = timing;
        }
    }
}

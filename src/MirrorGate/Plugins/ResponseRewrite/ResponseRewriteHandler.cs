using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ResponseRewrite;

/// <summary>
/// response-rewrite for one route. The rewrite phase only puts <see cref="ResponseRewriteBody"/>
/// in front of the response body and hooks the response start, as cors does: the status, headers
/// and body change on whatever answer the client gets, and nothing reaches the request, so a
/// proxy-mirror copy and the upstream see the request unchanged.
/// </summary>
internal sealed class ResponseRewriteHandler(ResponseRewriteConfig config) : PluginHandler
{
    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        if (http.Features.Get<IHttpResponseBodyFeature>() is not { } inner || http.Response.HasStarted)
        {
            return PhaseResult.ContinueTask;
        }

        var body = new ResponseRewriteBody(inner, http, config);
        http.Features.Set<IHttpResponseBodyFeature>(body);
        http.Features.Set<IDeferredResponseBody>(body);
        http.Response.OnStarting(static state =>
        {
            ((ResponseRewriteBody)state).Decide();
            return Task.CompletedTask;
        }, body);
        return PhaseResult.ContinueTask;
    }
}

using Microsoft.AspNetCore.Http;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.RequestId;

/// <summary>
/// request-id compiled for one route. In the rewrite phase (priority 12015, before every plugin
/// built here) a request without the header, or with it empty, gets a new id in its request
/// headers, so the upstream and every mirror copy carry the same id and a copy can be matched
/// with its primary; a request that has one keeps it. With <c>include_in_response</c> the id is
/// also put on the answer unless the answer already carries the header (APISIX's header_filter).
/// </summary>
internal sealed class RequestIdHandler(string headerName, bool includeInResponse, RequestIdGenerator generator) : PluginHandler
{
    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        var id = http.Request.Headers[headerName].ToString();
        if (id.Length == 0)
        {
            id = generator.Next();
            http.Request.Headers[headerName] = id;
        }

        if (includeInResponse)
        {
            http.Response.OnStarting(static state =>
            {
                var (response, name, value) = ((HttpResponse, string, string))state;
                if (string.IsNullOrEmpty(response.Headers[name]))
                {
                    response.Headers[name] = value;
                }

                return Task.CompletedTask;
            }, (http.Response, headerName, id));
        }

        return PhaseResult.ContinueTask;
    }
}

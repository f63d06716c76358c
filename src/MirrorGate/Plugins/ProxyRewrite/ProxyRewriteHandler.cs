using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ProxyRewrite;

/// <summary>
/// proxy-rewrite compiled for one route; runs in the rewrite phase, as APISIX's <c>rewrite</c>:
/// sets the upstream URI (APISIX's <c>upstream_uri</c>: <c>uri</c>, else the first matching
/// <c>regex_uri</c>, else the request's own path, re-escaped, with the client's query appended),
/// the upstream Host, the request headers and the method. What a mirror sees follows from when
/// proxy-mirror runs: its URI is fixed in its own rewrite phase (so only a rewrite ordered before
/// it counts), its method, headers and Host are taken when the copy starts (after every rewrite).
/// </summary>
internal sealed class ProxyRewriteHandler(
    ValueTemplate? uri,
    IReadOnlyList<RegexUriRule>? regexUri,
    string? host,
    string? method,
    RequestHeaderEdits? headers,
    bool useRealRequestUri) : PluginHandler
{
    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
    {
        var http = context.HttpContext;
        if (host is not null)
        {
            context.RewrittenUpstreamHost = host;
        }

        var upstreamUri = NginxUri(http);
        var clientQuery = "";
        var separatorEscaped = false;
        Match? captures = null;
        if (useRealRequestUri)
        {
            upstreamUri = RealRequestUri(http);
            var q = upstreamUri.IndexOf('?');
            clientQuery = q < 0 ? "" : upstreamUri[q..];
        }

        if (uri is not null)
        {
            separatorEscaped = true;
            upstreamUri = uri.Render(http, escapeQuestionMark: true);
            if (clientQuery.Length > 0)
            {
                // conf.uri with its own query merges with '&', never a second '?'.
                upstreamUri += upstreamUri.Contains('?') ? "&" + clientQuery[1..] : clientQuery;
            }
        }
        else if (regexUri is not null)
        {
            separatorEscaped = !upstreamUri.Contains('?');
            foreach (var rule in regexUri)
            {
                Match match;
                try
                {
                    match = rule.Pattern.Match(upstreamUri);
                }
                catch (RegexMatchTimeoutException e)
                {
                    var message = $"failed to match the uri {upstreamUri} ({rule.Pattern})  : {e.Message}";
                    return new ValueTask<PhaseResult>(PhaseResult.Respond(StatusCodes.Status500InternalServerError, new JsonObject { ["error_msg"] = message }.ToJsonString()));
                }

                if (match.Success)
                {
                    captures = match;
                    upstreamUri = rule.Substitute(upstreamUri, match);
                    break;
                }
            }
        }

        if (!useRealRequestUri)
        {
            var index = separatorEscaped ? upstreamUri.IndexOf('?') : -1;
            upstreamUri = index >= 0
                ? UpstreamUriEscaping.SafeEncode(upstreamUri[..index]) + UpstreamUriEscaping.EscapeControls(upstreamUri[index..])
                : UpstreamUriEscaping.SafeEncode(upstreamUri);
            if (http.Request.QueryString.Value is { Length: > 1 } args)
            {
                upstreamUri += (index >= 0 ? "&" : "?") + args[1..];
            }
        }

        context.UpstreamUri = upstreamUri;
        headers?.Apply(http, captures);
        if (method is not null)
        {
            http.Request.Method = method;
        }

        return PhaseResult.ContinueTask;
    }

    /// <summary>
    /// nginx's <c>$uri</c>: the decoded, normalised path. Kestrel decodes every escape but
    /// <c>%2F</c>, which it keeps so a path segment cannot be split; nginx decodes it too.
    /// </summary>
    private static string NginxUri(HttpContext http)
    {
        var path = (http.Request.PathBase + http.Request.Path).Value;
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }

        return path.Contains('%') ? path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase) : path;
    }

    /// <summary>nginx's <c>$request_uri</c>: the target as the client sent it, path and query, not normalised.</summary>
    private static string RealRequestUri(HttpContext http)
        => http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : (http.Request.PathBase + http.Request.Path + http.Request.QueryString).ToString();
}

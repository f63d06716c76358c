using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using MirrorGate.Consumers;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.KeyAuth;

/// <summary>
/// key-auth compiled for one route. In the rewrite phase it reads the key from the header, or
/// else the query argument, finds its consumer in the snapshot (one dictionary lookup), attaches
/// it and, with <c>hide_credentials</c>, removes the key from the request, so neither the
/// upstream nor a mirror copy (taken later, from the same request) sees it. A request without a
/// known key ends with 401 before any later plugin runs: it is neither proxied nor mirrored.
/// </summary>
internal sealed partial class KeyAuthHandler(
    string header,
    string query,
    bool hideCredentials,
    string? anonymousConsumer,
    string challenge,
    PhaseResult missing,
    PhaseResult invalid,
    PhaseResult invalidAnonymous,
    string routeId,
    ILogger<KeyAuthHandler> logger) : PluginHandler
{
    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
    {
        var request = context.HttpContext.Request;
        string? key = null;
        var fromHeader = false;
        if (request.Headers.TryGetValue(header, out var headerValues) && headerValues.Count > 0)
        {
            key = headerValues[0];
            fromHeader = true;
        }
        else if (request.Query.TryGetValue(query, out var queryValues))
        {
            // A repeated argument is a list in APISIX, which no key equals: refused as invalid.
            key = queryValues.Count == 1 ? queryValues[0] ?? "" : null;
            if (key is null)
            {
                return Refuse(context, invalid);
            }
        }

        if (key is null)
        {
            return Refuse(context, missing);
        }

        var consumer = context.Consumers.FindByCredential(KeyAuthPlugin.PluginName, key);
        if (consumer is null)
        {
            // The key itself is never logged.
            LogInvalidKey(routeId);
            return Refuse(context, invalid);
        }

        if (hideCredentials)
        {
            if (fromHeader)
            {
                request.Headers.Remove(header);
            }
            else
            {
                RemoveQueryArgument(context, query);
            }
        }

        Attach(context, consumer);
        return PhaseResult.ContinueTask;
    }

    private ValueTask<PhaseResult> Refuse(ProxyContext context, PhaseResult refusal)
    {
        if (anonymousConsumer is null)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = challenge;
            return new ValueTask<PhaseResult>(refusal);
        }

        var request = context.HttpContext.Request;
        if (hideCredentials)
        {
            // A request may carry a bad key in both places: neither reaches the upstream.
            request.Headers.Remove(header);
            RemoveQueryArgument(context, query);
        }

        if (context.Consumers.FindByName(anonymousConsumer) is not { } anonymous)
        {
            LogAnonymousMissing(routeId, anonymousConsumer);
            context.HttpContext.Response.Headers.WWWAuthenticate = challenge;
            return new ValueTask<PhaseResult>(invalidAnonymous);
        }

        Attach(context, anonymous);
        return PhaseResult.ContinueTask;
    }

    /// <summary>
    /// APISIX's <c>attach_consumer</c>: the consumer is the request's, and the upstream learns who
    /// it is; headers a client sent under these names are replaced or removed, never passed on.
    /// </summary>
    internal static void Attach(ProxyContext context, ConsumerModel consumer)
    {
        context.Consumer = consumer;
        var headers = context.HttpContext.Request.Headers;
        headers["X-Consumer-Username"] = consumer.Name;
        if (consumer.CredentialId is { } credentialId)
        {
            headers["X-Credential-Identifier"] = credentialId;
        }
        else
        {
            headers.Remove("X-Credential-Identifier");
        }

        if (consumer.CustomId is { } customId)
        {
            headers["X-Consumer-Custom-ID"] = customId;
        }
        else
        {
            headers.Remove("X-Consumer-Custom-ID");
        }
    }

    /// <summary>
    /// Drops every occurrence of one argument (compared decoded, as APISIX's args table), keeping the
    /// others as sent. As nginx builds the upstream URI from <c>$uri</c> and the changed <c>$args</c>,
    /// the upstream target becomes the client's path with the remaining query, unless a plugin set
    /// one already; <c>$request_uri</c> (the access log's, proxy-rewrite's <c>use_real_request_uri_unsafe</c>)
    /// stays what the client sent, as in nginx.
    /// </summary>
    private static void RemoveQueryArgument(ProxyContext context, string name)
    {
        var request = context.HttpContext.Request;
        var raw = request.QueryString.Value;
        if (string.IsNullOrEmpty(raw) || raw.Length < 2)
        {
            return;
        }

        var kept = new List<string>();
        var removed = false;
        foreach (var pair in raw[1..].Split('&'))
        {
            var equals = pair.IndexOf('=');
            var pairName = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            if (pairName == name)
            {
                removed = true;
                continue;
            }

            kept.Add(pair);
        }

        if (!removed)
        {
            return;
        }

        request.QueryString = kept.Count == 0 ? QueryString.Empty : new QueryString("?" + string.Join('&', kept));
        context.UpstreamUri ??= ClientPath(context.HttpContext) + request.QueryString.Value;
    }

    /// <summary>The request path as the client wrote it (percent-encoding kept), without the query.</summary>
    private static string ClientPath(HttpContext http)
    {
        var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (!string.IsNullOrEmpty(raw) && raw[0] == '/')
        {
            var q = raw.IndexOf('?');
            return q < 0 ? raw : raw[..q];
        }

        return (http.Request.PathBase + http.Request.Path).ToUriComponent();
    }

    [LoggerMessage(EventId = 2311, Level = LogLevel.Debug, Message = "key-auth on route {RouteId}: no consumer has the request's key")]
    private partial void LogInvalidKey(string routeId);

    [LoggerMessage(EventId = 2312, Level = LogLevel.Error, Message = "key-auth on route {RouteId}: the anonymous consumer {Consumer} does not exist; the request is refused")]
    private partial void LogAnonymousMissing(string routeId, string consumer);
}

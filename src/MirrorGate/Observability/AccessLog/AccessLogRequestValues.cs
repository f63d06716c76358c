using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace MirrorGate.Observability.AccessLog;

/// <summary>Request facts as nginx's variables state them, read from the finished exchange.</summary>
internal static class AccessLogRequestValues
{
    /// <summary>The request target as the client sent it (nginx's <c>$request_uri</c>).</summary>
    public static string RawTarget(HttpContext http)
        => http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : string.Concat(http.Request.PathBase.ToUriComponent(), http.Request.Path.ToUriComponent(), http.Request.QueryString.Value);

    /// <summary>nginx names HTTP/2 and HTTP/3 <c>HTTP/2.0</c> and <c>HTTP/3.0</c>.</summary>
    public static string ServerProtocol(string protocol) => protocol switch
    {
        "HTTP/2" => "HTTP/2.0",
        "HTTP/3" => "HTTP/3.0",
        _ => protocol,
    };

    /// <summary>nginx logs 499 when the client went away before it was answered.</summary>
    public static int Status(HttpContext http)
        => !http.Response.HasStarted && http.RequestAborted.IsCancellationRequested ? 499 : http.Response.StatusCode;

    /// <summary>nginx's <c>$remote_user</c>: the user name of a Basic <c>Authorization</c> header.</summary>
    public static string? BasicAuthUser(StringValues authorization)
    {
        var value = authorization.Count == 1 ? authorization[0] : null;
        if (value is null || !value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : decoded[..colon];
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>nginx's <c>$arg_NAME</c>: the first argument of that name, as sent (not decoded); names compare ignoring case.</summary>
    public static string? QueryArgument(string? query, string name)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        var span = query.AsSpan(1);
        while (!span.IsEmpty)
        {
            var amp = span.IndexOf('&');
            var pair = amp < 0 ? span : span[..amp];
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return eq < 0 ? "" : pair[(eq + 1)..].ToString();
            }

            span = amp < 0 ? default : span[(amp + 1)..];
        }

        return null;
    }

    public static string? StringProperty(JsonObject? config, string name)
        => config is not null && config.TryGetPropertyValue(name, out var node) && node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public static string? IdProperty(JsonObject? config, string name)
        => config is not null && config.TryGetPropertyValue(name, out var node) && node is JsonValue value
            ? value.TryGetValue<string>(out var text) ? text : value.ToJsonString()
            : null;
}

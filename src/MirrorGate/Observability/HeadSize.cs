using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace MirrorGate.Observability;

/// <summary>
/// The size of a request's and a response's head as HTTP/1.1 text, for nginx's <c>$request_length</c>
/// (request line + headers + body) and <c>$bytes_sent</c> (status line + headers + body), in the
/// access log and APISIX's <c>apisix_bandwidth</c> alike. Kestrel
/// does not report the bytes it parsed, so this adds up the parts it kept: exact for an HTTP/1.1
/// head in ASCII as most clients send it, an estimate otherwise (HTTP/2 heads are HPACK-compressed
/// on the wire; headers Kestrel writes itself, like <c>Date</c>, and chunk framing are not counted).
/// </summary>
internal static class HeadSize
{
    private const int Crlf = 2;

    /// <summary><c>METHOD target PROTOCOL\r\n</c>, each <c>name: value\r\n</c>, the blank line.</summary>
    public static long Request(HttpContext http)
    {
        var request = http.Request;
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw.Length
            : Math.Max(1, (request.PathBase.Value?.Length ?? 0) + (request.Path.Value?.Length ?? 0) + (request.QueryString.Value?.Length ?? 0));
        long size = request.Method.Length + 1 + target + 1 + request.Protocol.Length + Crlf;
        return size + Headers(request.Headers) + Crlf;
    }

    /// <summary><c>PROTOCOL code reason\r\n</c>, each <c>name: value\r\n</c>, the blank line.</summary>
    public static long Response(HttpContext http)
    {
        var response = http.Response;
        var reason = http.Features.Get<IHttpResponseFeature>()?.ReasonPhrase ?? ReasonPhrases.GetReasonPhrase(response.StatusCode);
        long size = http.Request.Protocol.Length + 1 + 3 + 1 + reason.Length + Crlf;
        return size + Headers(response.Headers) + Crlf;
    }

    private static long Headers(IHeaderDictionary headers)
    {
        long size = 0;
        foreach (var header in headers)
        {
            var values = header.Value;
            if (values.Count == 1)
            {
                size += header.Key.Length + 2 + (values[0]?.Length ?? 0) + Crlf;
                continue;
            }

            // Several values of one name are written as one line each.
            foreach (var value in values)
            {
                size += header.Key.Length + 2 + (value?.Length ?? 0) + Crlf;
            }
        }

        return size;
    }
}

using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// The head sizes in <c>$request_length</c> and <c>$bytes_sent</c>. Kestrel does not tell how
/// many bytes a head took on the wire, so they are counted as HTTP/1.1 writes them: the start
/// line, each header as <c>Name: value\r\n</c>, the blank line. Exact for HTTP/1.1 as clients
/// and Kestrel format it; for HTTP/2 it is the uncompressed size, and chunk framing is not
/// counted. Computed only when the format names one of these variables.
/// </summary>
internal static class AccessLogSizes
{
    /// <summary>Request line and headers (the body is added by the caller).</summary>
    public static long RequestHead(HttpContext http, string rawTarget, string protocol)
        => http.Request.Method.Length + 1 + rawTarget.Length + 1 + protocol.Length + 2 + Headers(http.Request.Headers) + 2;

    /// <summary>Status line and headers (the body is added by the caller).</summary>
    public static long ResponseHead(HttpContext http)
    {
        var status = http.Response.StatusCode;
        var reason = ReasonPhrases.GetReasonPhrase(status);
        // "HTTP/1.1 200 OK\r\n"
        return 8 + 1 + 3 + 1 + reason.Length + 2 + Headers(http.Response.Headers) + 2;
    }

    private static long Headers(IHeaderDictionary headers)
    {
        long total = 0;
        foreach (var header in headers)
        {
            foreach (var value in header.Value)
            {
                total += header.Key.Length + 2 + (value?.Length ?? 0) + 2;
            }
        }

        return total;
    }
}

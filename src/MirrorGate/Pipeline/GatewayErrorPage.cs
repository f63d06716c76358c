using System.Text;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Pipeline;

/// <summary>
/// The HTML page the gateway sends with an error it made itself and that has no body of its own
/// (the upstream could not be reached, timed out, or broke off before answering; a plugin refused
/// the request with a bare status, as APISIX's <c>return 405</c>): nginx's
/// special-response page, as APISIX clients see it, naming the gateway instead of openresty.
/// </summary>
internal static class GatewayErrorPage
{
    public const string ContentType = "text/html";

    private static readonly Dictionary<int, byte[]> Pages = new[]
    {
        (400, "Bad Request"),
        (405, "Not Allowed"),
        // The limit plugins' rejected_code 429 without rejected_msg: nginx has a page for it too.
        (429, "Too Many Requests"),
        (500, "Internal Server Error"),
        (502, "Bad Gateway"),
        (503, "Service Temporarily Unavailable"),
        (504, "Gateway Time-out"),
    }.ToDictionary(p => p.Item1, p => Render(p.Item1, p.Item2));

    /// <summary>The page for <paramref name="status"/>, or null for a status nginx has no page of this kind for.</summary>
    public static byte[]? For(int status) => Pages.GetValueOrDefault(status);

    /// <summary>Writes the page when the response is still empty and has a page; otherwise leaves it as it is.</summary>
    public static Task WriteIfEmptyAsync(HttpResponse response)
    {
        if (response.HasStarted || response.ContentLength is > 0 || For(response.StatusCode) is not { } page)
        {
            return Task.CompletedTask;
        }

        response.ContentType = ContentType;
        response.ContentLength = page.Length;
        return response.Body.WriteAsync(page).AsTask();
    }

    // nginx writes its pages with CRLF line ends; kept, so byte-for-byte checks written for nginx hold.
    private static byte[] Render(int status, string reason) => Encoding.ASCII.GetBytes(
        $"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>MirrorGate</center>\r\n</body>\r\n</html>\r\n");
}

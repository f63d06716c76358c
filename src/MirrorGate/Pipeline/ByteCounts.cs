using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MirrorGate.Pipeline;

/// <summary>
/// Counts a request's body bytes in both directions for the access log and the bandwidth metric:
/// installed before the route runs, it stands in for the request body stream (only when the
/// request can have a body) and for the response body feature, passing every byte on unchanged.
/// </summary>
internal sealed class ByteCounts
{
    private CountingReadStream? _request;
    private CountingResponseBodyFeature? _response;

    public long RequestBodyBytes => _request?.Count ?? 0;

    public long ResponseBodyBytes => _response?.Count ?? 0;

    public static ByteCounts Install(HttpContext http)
    {
        var counts = new ByteCounts();
        if (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            counts._request = new CountingReadStream(http.Request.Body);
            http.Request.Body = counts._request;
        }

        if (http.Features.Get<IHttpResponseBodyFeature>() is { } inner && !http.Response.HasStarted)
        {
            counts._response = new CountingResponseBodyFeature(inner);
            http.Features.Set<IHttpResponseBodyFeature>(counts._response);
        }

        return counts;
    }
}

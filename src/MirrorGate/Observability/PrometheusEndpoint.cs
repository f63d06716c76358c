using System.Text;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Observability;

/// <summary>
/// Answers a Prometheus scrape. The host maps it at APISIX's path
/// <see cref="Path"/> on the <c>plugin_attr.prometheus.export_addr</c> listener.
/// </summary>
internal static class PrometheusEndpoint
{
    /// <summary>APISIX's prometheus plugin path, kept so existing scrape configs work unchanged.</summary>
    public const string Path = "/apisix/prometheus/metrics";

    public static async Task WriteAsync(HttpContext context, PrometheusExporter exporter)
    {
        // Render first, then write: the exporter's scrape lock is never held across network I/O,
        // so a slow scraper cannot stall another scrape.
        var text = exporter.Render();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = PrometheusText.ContentType;
        response.Headers.CacheControl = "no-store";
        var body = Encoding.UTF8.GetBytes(text);
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }
}

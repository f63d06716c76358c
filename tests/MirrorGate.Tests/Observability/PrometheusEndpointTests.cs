using System.Text;
using Microsoft.AspNetCore.Http;
using MirrorGate.Observability;

namespace MirrorGate.Tests.Observability;

public sealed class PrometheusEndpointTests
{
    [Fact]
    public async Task WriteAsync_Get_AnswersTextFormatWithRenderedMetrics()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.scraped").Add(2);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        using var body = new MemoryStream();
        context.Response.Body = body;

        await PrometheusEndpoint.WriteAsync(context, m.Exporter);

        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", context.Response.ContentType);
        var text = Encoding.UTF8.GetString(body.ToArray());
        Assert.Equal("# TYPE mirrorgate_test_scraped_total counter\nmirrorgate_test_scraped_total 2\n", text);
        Assert.Equal(body.Length, context.Response.ContentLength);
    }

    [Fact]
    public async Task WriteAsync_Head_SendsHeadersWithoutBody()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.head").Add(1);
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Head;
        using var body = new MemoryStream();
        context.Response.Body = body;

        await PrometheusEndpoint.WriteAsync(context, m.Exporter);

        Assert.Equal(0, body.Length);
        Assert.True(context.Response.ContentLength > 0);
    }

    [Fact]
    public void Path_IsApisixPrometheusPath() => Assert.Equal("/apisix/prometheus/metrics", PrometheusEndpoint.Path);
}

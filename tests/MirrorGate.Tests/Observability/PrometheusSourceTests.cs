using MirrorGate.Observability;

namespace MirrorGate.Tests.Observability;

public sealed class PrometheusSourceTests
{
    private sealed class TextSource(string text) : IPrometheusSource
    {
        public void WriteTo(TextWriter writer) => writer.Write(text);
    }

    private sealed class BrokenSource : IPrometheusSource
    {
        public void WriteTo(TextWriter writer)
        {
            writer.Write("# TYPE half_written counter\n");
            throw new InvalidOperationException("broken");
        }
    }

    [Fact]
    public void Render_Source_WrittenAsIsBeforeInstrumentFamilies()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.requests").Add(1);
        m.Exporter.AddSource(new TextSource("# TYPE apisix_http_status counter\napisix_http_status{code=\"200\"} 1\n"));

        Assert.Equal(
            "# TYPE apisix_http_status counter\napisix_http_status{code=\"200\"} 1\n" +
            "# TYPE mirrorgate_test_requests_total counter\nmirrorgate_test_requests_total 1\n",
            m.Render());
    }

    [Fact]
    public void Render_SourceThrows_NothingOfItWrittenOthersStillAre()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.requests").Add(1);
        m.Exporter.AddSource(new BrokenSource());
        m.Exporter.AddSource(new TextSource("# TYPE b gauge\nb 2\n"));

        Assert.Equal(
            "# TYPE b gauge\nb 2\n" +
            "# TYPE mirrorgate_test_requests_total counter\nmirrorgate_test_requests_total 1\n",
            m.Render());
    }
}

using System.Diagnostics.Metrics;
using MirrorGate.Observability;

namespace MirrorGate.Tests.Observability;

/// <summary>
/// A uniquely named meter and an exporter that listens to it alone, so tests running in parallel
/// never see each other's instruments.
/// </summary>
internal sealed class MeterUnderTest : IDisposable
{
    public MeterUnderTest()
    {
        Meter = new Meter("MirrorGate.Test." + Guid.NewGuid().ToString("N"));
        Exporter = new PrometheusExporter(Meter.Name);
    }

    public Meter Meter { get; }

    public PrometheusExporter Exporter { get; }

    public string Render() => Exporter.Render();

    public void Dispose()
    {
        Exporter.Dispose();
        Meter.Dispose();
    }
}

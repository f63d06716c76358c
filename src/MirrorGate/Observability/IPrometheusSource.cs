namespace MirrorGate.Observability;

/// <summary>
/// Series that do not come from a .NET instrument and must keep names, types, label order and
/// bucket bounds exactly as another system spells them (APISIX's <c>apisix_*</c> families). The
/// exporter writes each source's families, whole, before its own.
/// </summary>
internal interface IPrometheusSource
{
    /// <summary>Writes complete families (<c># HELP</c>, <c># TYPE</c>, series). Called under the scrape lock.</summary>
    void WriteTo(TextWriter writer);
}

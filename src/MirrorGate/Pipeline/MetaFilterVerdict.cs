namespace MirrorGate.Pipeline;

/// <summary>A plugin's <c>_meta.filter</c> outcome for one request: APISIX evaluates it once and keeps it for every phase.</summary>
internal enum MetaFilterVerdict : byte
{
    NotEvaluated = 0,
    Runs,
    Skipped,
}

namespace MirrorGate.Plugins.RequestId;

/// <summary>request-id's <c>algorithm</c> values, as APISIX names them.</summary>
internal enum RequestIdAlgorithm
{
    Uuid,
    UuidV7,
    Nanoid,
    RangeId,
    Ksuid,
}

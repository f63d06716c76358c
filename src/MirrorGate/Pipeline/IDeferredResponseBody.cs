namespace MirrorGate.Pipeline;

/// <summary>
/// A response body a plugin holds back and writes only when the request's work is done
/// (response-rewrite's replacement or filtered body). The proxy middleware finishes it once,
/// after the upstream's answer or a plugin's own was written, so a body that the upstream left
/// empty is still replaced.
/// </summary>
internal interface IDeferredResponseBody
{
    Task FinishAsync();
}

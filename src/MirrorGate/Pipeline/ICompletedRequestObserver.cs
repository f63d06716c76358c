namespace MirrorGate.Pipeline;

/// <summary>
/// Told about every request of the proxy listeners once the gateway is done with it (the access
/// log, APISIX's metrics). Called on the request's own thread after the response body was
/// written: it must be quick, must not block and must not throw; slow work (disk) goes to a
/// queue of its own.
/// </summary>
internal interface ICompletedRequestObserver
{
    /// <summary>True when it reads <see cref="CompletedRequest.RequestBodyBytes"/> or <see cref="CompletedRequest.ResponseBodyBytes"/>, so the node counts them.</summary>
    bool NeedsByteCounts { get; }

    void OnCompleted(in CompletedRequest request);
}

namespace MirrorGate.Mirroring;

/// <summary>
/// A mirror whose request line and headers are frozen but whose body is still streaming through
/// the tee. Completing it hands a finished <see cref="MirrorRequest"/> to the dispatcher.
/// </summary>
internal sealed class PendingMirror(MirrorRequest request, MirrorDispatcher dispatcher, CancellationToken requestAborted)
{
    public CancellationToken RequestAborted { get; } = requestAborted;

    public void Complete(MirrorBodyBuffer body)
    {
        request.Body = body;
        dispatcher.TryEnqueue(request);
    }

    /// <summary>The body could not be copied: counted dropped, and a compared copy's sink is told (through <see cref="MirrorCopy.Drop"/>).</summary>
    public void Drop(string reason) => dispatcher.Drop(request, reason);
}

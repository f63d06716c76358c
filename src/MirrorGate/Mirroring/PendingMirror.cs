namespace MirrorGate.Mirroring;

/// <summary>
/// Mirror copies whose request line and headers are frozen but whose body is still streaming
/// through the tee: one copy per target of the route, all sharing the one body buffer.
/// Completing hands each finished <see cref="MirrorRequest"/> to the dispatcher, each holding
/// the body (its lease) until it settles.
/// </summary>
internal sealed class PendingMirror(MirrorRequest request, MirrorDispatcher dispatcher, CancellationToken requestAborted)
{
    private List<MirrorRequest>? _more;

    public CancellationToken RequestAborted { get; } = requestAborted;

    /// <summary>Another target's copy of the same request (before the tee is installed): it gets the same body.</summary>
    public void Add(MirrorRequest another) => (_more ??= new(2)).Add(another);

    public void Complete(MirrorBodyBuffer body)
    {
        if (_more is { } more)
        {
            // Every copy holds the body before any is queued: the first could settle (and let go)
            // before the others were handed over.
            foreach (var other in more)
            {
                body.Hold();
                other.Body = body;
            }
        }

        request.Body = body;
        dispatcher.TryEnqueue(request);
        if (_more is { } rest)
        {
            foreach (var other in rest)
            {
                dispatcher.TryEnqueue(other);
            }
        }
    }

    /// <summary>The body could not be copied: every copy counted dropped, and a compared copy's sink is told (through <see cref="MirrorCopy.Drop"/>).</summary>
    public void Drop(string reason)
    {
        dispatcher.Drop(request, reason);
        if (_more is { } more)
        {
            foreach (var other in more)
            {
                dispatcher.Drop(other, reason);
            }
        }
    }
}

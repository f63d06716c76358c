using System.Net;

namespace MirrorGate.Mirroring;

/// <summary>
/// The mirror's own copy of the body, sent from memory: never a stream shared with the primary,
/// and safe to serialize twice if the HTTP stack retries. It holds the body from its creation
/// until it is disposed and no serialization is running: over HTTP/2 the answer can arrive (and
/// the copy settle) while the handler still writes the request body, and those bytes must stay
/// the copy's own until the last one is written.
/// </summary>
internal sealed class MirrorBodyContent : HttpContent
{
    private readonly MirrorBodyBuffer _body;
    private readonly Action _onSent;
    private int _users = 1; // the content's own hold, let go by Dispose; one more per running serialization
    private int _disposed;

    public MirrorBodyContent(MirrorBodyBuffer body, Action onSent)
    {
        _body = body;
        _onSent = onSent;
        body.Hold();
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (!TryUse())
        {
            throw new ObjectDisposedException(nameof(MirrorBodyContent));
        }

        try
        {
            await _body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            LetGo();
        }

        _onSent();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            LetGo();
        }

        base.Dispose(disposing);
    }

    private bool TryUse()
    {
        var users = Volatile.Read(ref _users);
        while (users > 0)
        {
            var seen = Interlocked.CompareExchange(ref _users, users + 1, users);
            if (seen == users)
            {
                return true;
            }

            users = seen;
        }

        return false;
    }

    private void LetGo()
    {
        if (Interlocked.Decrement(ref _users) == 0)
        {
            _body.Release();
        }
    }
}

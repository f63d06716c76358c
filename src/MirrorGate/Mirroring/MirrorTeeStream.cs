namespace MirrorGate.Mirroring;

/// <summary>
/// Wraps the primary request body: every chunk the forwarder reads is passed through unchanged
/// and copied into the mirror's buffer. When the body ends the pending mirror is completed and
/// queued; if the copy outgrows the cap it is abandoned (never sent truncated); if the request
/// ends before the body did, the mirror is dropped. The primary never waits on any of this.
/// </summary>
/// <remarks>
/// A zero-length result is end-of-body only for a read that asked for bytes: the forwarder issues
/// zero-byte reads to wait for data without holding a buffer.
/// </remarks>
internal sealed class MirrorTeeStream : Stream
{
    private readonly Stream _inner;
    private readonly PendingMirror _pending;
    private readonly long _maxBodySize;
    private readonly long? _declaredLength;
    private MirrorBodyBuffer? _buffer;
    private int _state; // 0 capturing, 1 finished (completed or abandoned)

    public MirrorTeeStream(Stream inner, PendingMirror pending, MirrorBodyBuffer buffer, long maxBodySize, long? declaredLength)
    {
        _inner = inner;
        _pending = pending;
        _buffer = buffer;
        _maxBodySize = maxBodySize;
        _declaredLength = declaredLength;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read], requested: buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Observe(buffer[..read], requested: buffer.Length);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private void Observe(ReadOnlySpan<byte> data, int requested)
    {
        if (Volatile.Read(ref _state) != 0)
        {
            return;
        }

        if (data.IsEmpty)
        {
            if (requested > 0)
            {
                Complete();
            }

            return;
        }

        var buffer = _buffer!;
        if (buffer.Length + data.Length > _maxBodySize)
        {
            Abandon(MirrorReasons.BodyTooLarge);
            return;
        }

        if (!buffer.TryAppend(data))
        {
            Abandon(MirrorReasons.BufferFull);
            return;
        }

        // With a declared length the body is known to be complete without waiting for the final
        // zero read, which a forwarder that counts bytes may never issue.
        if (_declaredLength is { } declared && buffer.Length == declared)
        {
            Complete();
        }
    }

    private void Complete()
    {
        if (Interlocked.Exchange(ref _state, 1) != 0)
        {
            return;
        }

        var body = _buffer!;
        _buffer = null;
        _pending.Complete(body);
    }

    private void Abandon(string reason)
    {
        if (Interlocked.Exchange(ref _state, 1) != 0)
        {
            return;
        }

        _buffer!.Release();
        _buffer = null;
        _pending.Drop(reason);
    }

    /// <summary>Called when the request ends (registered for dispose): an unfinished copy is dropped.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && Volatile.Read(ref _state) == 0)
        {
            Abandon(_pending.RequestAborted.IsCancellationRequested ? MirrorReasons.ClientAborted : MirrorReasons.BodyIncomplete);
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

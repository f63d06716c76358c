using System.IO.Pipelines;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// The response body writer the <see cref="PrimaryResponseTee"/> gives out: buffers come from the
/// server's writer, and what a caller advances over is copied into the kept prefix before the
/// server's writer is advanced. A writer's caller must ask for a new buffer after each advance,
/// so the last one handed out is the one advanced over.
/// </summary>
internal sealed class PrimaryResponseTeeWriter(PipeWriter inner, ResponseCaptureBody body) : PipeWriter
{
    private Memory<byte> _last;

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => (_last = inner.GetMemory(sizeHint)).Span;

    public override void Advance(int bytes)
    {
        if ((uint)bytes > (uint)_last.Length)
        {
            // Let the server's writer refuse it as it would have.
            inner.Advance(bytes);
            return;
        }

        body.Append(_last.Span[..bytes]);
        _last = _last[bytes..];
        inner.Advance(bytes);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        body.Append(source.Span);
        return inner.WriteAsync(source, cancellationToken);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}

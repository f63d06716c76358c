namespace MirrorGate.Pipeline;

/// <summary>
/// A response body feature that edits what is written through it (response-rewrite, grpc-web):
/// the writes and flushes its <see cref="ResponseBodyWriteStream"/> hands on.
/// </summary>
internal interface IResponseBodyWriter
{
    ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken);

    Task FlushAsync(CancellationToken cancellationToken);
}

using System.Net;

namespace MirrorGate.Mirroring;

/// <summary>
/// The mirror's own copy of the body, sent from memory: never a stream shared with the primary,
/// and safe to serialize twice if the HTTP stack retries.
/// </summary>
internal sealed class MirrorBodyContent(MirrorBodyBuffer body, Action onSent) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        onSent();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = body.Length;
        return true;
    }
}

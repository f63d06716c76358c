using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// Stands in for the response body of one converted request (APISIX's body_filter): the upstream's
/// gRPC frames pass through as they are written, or, in text mode, each write goes out as its own
/// padded base64 (as APISIX and Envoy do, so a streamed message is never held back for the next
/// one). When the body is done, the trailer frame with the upstream's grpc-status and grpc-message
/// is appended, unless the upstream answered trailers-only (grpc-status in the headers).
/// </summary>
internal sealed class GrpcWebResponseBody(IHttpResponseBodyFeature inner, HttpResponse response, GrpcWebExchange exchange, IDeferredResponseBody? previous)
    : IHttpResponseBodyFeature, IDeferredResponseBody, IResponseBodyWriter
{
    private bool _finished;
    private ResponseBodyWriteStream? _stream;
    private PipeWriter? _writer;

    public Stream Stream => _stream ??= new ResponseBodyWriteStream(this);

    // Writes through the stream, so every path (the forwarder's stream, a pipe writer) is converted.
    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public void DisableBuffering() => inner.DisableBuffering();

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
        => SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    // A caller that ends the response (the forwarder does for gRPC-looking requests) still gets the trailer frame first.
    public async Task CompleteAsync()
    {
        await FinishAsync().ConfigureAwait(false);
        await inner.CompleteAsync().ConfigureAwait(false);
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        if (buffer.IsEmpty)
        {
            return;
        }

        // A request whose body could not be read is answered by the gateway's own 400 page, as it is.
        if (exchange.Encoding != GrpcWebEncoding.Base64 || exchange.RequestBodyFailed)
        {
            await inner.Stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        var encoded = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(buffer.Length));
        try
        {
            Base64.EncodeToUtf8(buffer.Span, encoded, out _, out var written);
            await inner.Stream.WriteAsync(encoded.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken) => inner.Stream.FlushAsync(cancellationToken);

    /// <summary>Appends the trailer frame once, after the body (and after a plugin's held-back body, if one was installed before).</summary>
    public async Task FinishAsync()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        if (previous is not null)
        {
            await previous.FinishAsync().ConfigureAwait(false);
        }

        if (exchange.RequestBodyFailed
            || response.Headers.ContainsKey(GrpcHeaders.Status)
            || response.StatusCode is StatusCodes.Status204NoContent or StatusCodes.Status304NotModified)
        {
            return;
        }

        var trailers = exchange.Trailers;
        var frame = GrpcWebTrailerFrame.Build(trailers[GrpcHeaders.Status].ToString(), trailers[GrpcHeaders.Message].ToString());
        await WriteAsync(frame, CancellationToken.None).ConfigureAwait(false);
    }
}

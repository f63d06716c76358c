using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.ResponseRewrite;

/// <summary>
/// Stands in for the response body feature of one request on a response-rewrite route. Whether
/// the rewrite applies (<c>vars</c> on the status and headers) is decided once, when the response
/// is about to start or its first byte is written, whichever comes first; then the upstream's bytes
/// pass through untouched, are dropped (a <c>body</c> replaces them: nothing is buffered), or are
/// held up to <c>max_resp_body_size</c> for <c>filters</c> (APISIX truncates the same way).
/// The replacement or filtered body is written by <see cref="FinishAsync"/>.
/// </summary>
internal sealed class ResponseRewriteBody(IHttpResponseBodyFeature inner, HttpContext http, ResponseRewriteConfig config)
    : IHttpResponseBodyFeature, IDeferredResponseBody, IResponseBodyWriter
{
    private enum Mode
    {
        Undecided,
        PassThrough,
        Replace,
        Filter,
    }

    private Mode _mode;
    private string? _encoding;
    private MemoryStream? _held;
    private bool _finished;
    private ResponseBodyWriteStream? _stream;
    private PipeWriter? _writer;

    public Stream Stream => _stream ??= new ResponseBodyWriteStream(this);

    // Writes through the stream, so every path (YARP's stream, HttpResponse.WriteAsync's pipe) meets the same decision.
    public PipeWriter Writer => _writer ??= PipeWriter.Create(Stream, new StreamPipeWriterOptions(leaveOpen: true));

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    // A caller that ends the response early still sends the held-back body first.
    public async Task CompleteAsync()
    {
        await FinishAsync().ConfigureAwait(false);
        await inner.CompleteAsync().ConfigureAwait(false);
    }

    public void DisableBuffering() => inner.DisableBuffering();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        Decide();
        if (_mode == Mode.PassThrough)
        {
            await inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var file = File.OpenRead(path);
        file.Seek(offset, SeekOrigin.Begin);
        var buffer = new byte[81920];
        var left = count ?? long.MaxValue;
        int read;
        while (left > 0 && (read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false)) > 0)
        {
            await WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            left -= read;
        }
    }

    /// <summary>APISIX's header_filter: vars, then status, body headers, and the header edits.</summary>
    public void Decide()
    {
        if (_mode != Mode.Undecided)
        {
            return;
        }

        if (config.Vars is { } vars && !vars.Evaluate(http))
        {
            _mode = Mode.PassThrough;
            return;
        }

        var response = http.Response;
        if (config.StatusCode is { } status)
        {
            response.StatusCode = status;
        }

        if (config.ChangesBody)
        {
            // APISIX's clear_header_as_body_modified: the upstream's length, coding and validators no longer describe the body.
            _encoding = response.Headers.ContentEncoding.ToString();
            response.ContentLength = CanHaveBody() ? config.Body?.Length : null;
            response.Headers.Remove(HeaderNames.ContentEncoding);
            response.Headers.Remove(HeaderNames.LastModified);
            response.Headers.Remove(HeaderNames.ETag);
        }

        config.Headers?.Apply(http);
        _mode = !CanHaveBody() ? Mode.PassThrough
            : config.Body is not null ? Mode.Replace : config.Filters is not null ? Mode.Filter : Mode.PassThrough;
    }

    // nginx sends no body for HEAD, 204 and 304 whatever a filter writes; Kestrel refuses one for the last two.
    private bool CanHaveBody()
        => !HttpMethods.IsHead(http.Request.Method) && http.Response.StatusCode is not (StatusCodes.Status204NoContent or StatusCodes.Status304NotModified);

    public ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        Decide();
        switch (_mode)
        {
            case Mode.PassThrough:
                return inner.Stream.WriteAsync(buffer, cancellationToken);
            case Mode.Filter:
                Hold(buffer.Span);
                return ValueTask.CompletedTask;
            default:
                return ValueTask.CompletedTask;
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken)
        => _mode == Mode.PassThrough ? inner.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

    public async Task FinishAsync()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        Decide();
        if (_mode == Mode.Replace)
        {
            await inner.Stream.WriteAsync(config.Body).ConfigureAwait(false);
        }
        else if (_mode == Mode.Filter)
        {
            var body = Filtered();
            if (!http.Response.HasStarted)
            {
                http.Response.ContentLength = body.Length;
            }

            await inner.Stream.WriteAsync(body).ConfigureAwait(false);
        }
    }

    private void Hold(ReadOnlySpan<byte> bytes)
    {
        _held ??= new MemoryStream();
        var room = config.MaxBodySize - _held.Length;
        _held.Write(room >= bytes.Length ? bytes : bytes[..(int)Math.Max(0, room)]);
    }

    private byte[] Filtered()
    {
        var held = _held?.ToArray() ?? [];
        var body = Encoding.UTF8.GetString(Decoded(held));
        foreach (var filter in config.Filters!)
        {
            body = filter.Apply(body);
        }

        return Encoding.UTF8.GetBytes(body);
    }

    // APISIX decodes gzip and brotli before filtering and sends the result without a coding.
    private byte[] Decoded(byte[] held)
    {
        Stream? decoder = _encoding?.Trim().ToLowerInvariant() switch
        {
            "gzip" => new GZipStream(new MemoryStream(held), CompressionMode.Decompress),
            "deflate" => new ZLibStream(new MemoryStream(held), CompressionMode.Decompress),
            "br" => new BrotliStream(new MemoryStream(held), CompressionMode.Decompress),
            _ => null,
        };
        if (decoder is null)
        {
            return held;
        }

        using (decoder)
        {
            var plain = new MemoryStream();
            decoder.CopyTo(plain);
            return plain.ToArray();
        }
    }
}

using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// The request body as the gRPC upstream (and a proxy-mirror copy, whose tee reads through this)
/// gets it: the client's bytes counted against <c>max_req_body_size</c> and, in text mode,
/// base64-decoded as they arrive; nothing is buffered beyond one read. A body that is empty, too
/// large or not base64 fails the read: the forwarder answers 400 and a mirror copy is dropped,
/// never sent cut short.
/// </summary>
/// <remarks>A zero-byte read is passed on as one (the forwarder uses them to wait for data); only a read that asked for bytes ends the body.</remarks>
internal sealed class GrpcWebRequestStream : Stream
{
    private const int RawChunk = 4096;

    private readonly Stream _inner;
    private readonly Base64StreamDecoder? _decoder;
    private readonly long _maxSize;
    private readonly GrpcWebExchange _exchange;
    private readonly GrpcWebLog _log;
    private byte[]? _raw;
    private byte[]? _decoded;
    private int _decodedStart;
    private int _decodedEnd;
    private long _received;
    private bool _ended;

    /// <param name="decode">Whether the body is base64 (text mode).</param>
    public GrpcWebRequestStream(Stream inner, bool decode, long maxSize, GrpcWebExchange exchange, GrpcWebLog log)
    {
        _inner = inner;
        _decoder = decode ? new Base64StreamDecoder() : null;
        _maxSize = maxSize;
        _exchange = exchange;
        _log = log;
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
        if (buffer.IsEmpty)
        {
            return _decodedEnd > _decodedStart ? 0 : await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        if (_decoder is null)
        {
            var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            Count(read);
            return read;
        }

        while (true)
        {
            if (_decodedEnd > _decodedStart)
            {
                var count = Math.Min(buffer.Length, _decodedEnd - _decodedStart);
                _decoded.AsSpan(_decodedStart, count).CopyTo(buffer.Span);
                _decodedStart += count;
                return count;
            }

            if (_ended)
            {
                Release();
                return 0;
            }

            _raw ??= ArrayPool<byte>.Shared.Rent(RawChunk);
            _decoded ??= ArrayPool<byte>.Shared.Rent(Base64StreamDecoder.MaxDecodedLength(RawChunk));
            var raw = await _inner.ReadAsync(_raw.AsMemory(0, RawChunk), cancellationToken).ConfigureAwait(false);
            Count(raw);
            _decodedStart = 0;
            _decodedEnd = raw > 0 ? _decoder.Decode(_raw.AsSpan(0, raw), _decoded) : _decoder.Finish(_decoded);
            _ended = raw == 0;
            if (_decodedEnd < 0)
            {
                _decodedEnd = 0;
                throw Fail("failed to decode request body");
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Kestrel refuses synchronous reads by default; one that was allowed meets the same checks.
    public override int Read(byte[] buffer, int offset, int count)
        => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>APISIX's <c>core.request.get_body(max_req_body_size)</c> checks, on the bytes as they come.</summary>
    private void Count(int read)
    {
        if (read == 0 && _received == 0)
        {
            throw Fail("failed to read request body, err: the body is empty");
        }

        _received += read;
        if (_received > _maxSize)
        {
            throw Fail(string.Create(CultureInfo.InvariantCulture, $"failed to read request body, err: request size {_received} is greater than the maximum size {_maxSize} allowed"));
        }
    }

    private BadHttpRequestException Fail(string reason)
    {
        _exchange.RequestBodyFailed = true;
        _log.Refused(reason);
        Release();
        return new BadHttpRequestException(reason, StatusCodes.Status400BadRequest);
    }

    private void Release()
    {
        if (_raw is { } raw)
        {
            _raw = null;
            ArrayPool<byte>.Shared.Return(raw);
        }

        if (_decoded is { } decoded && _decodedEnd <= _decodedStart)
        {
            _decoded = null;
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decodedStart = _decodedEnd;
            Release();
        }

        base.Dispose(disposing);
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

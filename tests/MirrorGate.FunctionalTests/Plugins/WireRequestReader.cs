using System.Net.Sockets;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>How far a body was read.</summary>
internal enum BodyProgress
{
    /// <summary>The whole body, as its framing says.</summary>
    Complete,

    /// <summary>As many bytes as asked for; the rest is still on the wire.</summary>
    Paused,

    /// <summary>The connection ended first.</summary>
    ConnectionEnded,
}

/// <summary>
/// Reads successive HTTP/1.1 requests off one keep-alive connection as they arrive, several at
/// once when the client pipelines them: a head, then its body in as many steps as the caller wants.
/// </summary>
internal sealed class WireRequestReader(Socket socket)
{
    private const int MaxHeadLength = 64 * 1024;

    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    /// <summary>
    /// The next request's head; null when the client closed the connection between requests.
    /// Throws <see cref="InvalidDataException"/> when the bytes are not a request.
    /// </summary>
    public async Task<WireRequestHead?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var lineEnd = Buffered.IndexOf("\r\n"u8);
            if (lineEnd >= 0 && !WireRequestHead.IsRequestLine(Buffered[..lineEnd]))
            {
                throw new InvalidDataException($"not an HTTP/1.1 request line: {WireRequestHead.Printable(System.Text.Encoding.Latin1.GetString(Buffered[..lineEnd]))}");
            }

            var headEnd = Buffered.IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                var head = WireRequestHead.Parse(Buffered[..headEnd]);
                _start += headEnd + 4;
                return head;
            }

            if (Buffered.Length > MaxHeadLength || (lineEnd < 0 && Buffered.Length > 8 * 1024))
            {
                throw new InvalidDataException($"no request head in the first {Buffered.Length} bytes: {WireRequestHead.Printable(System.Text.Encoding.Latin1.GetString(Buffered[..80]))}");
            }

            if (!await FillAsync(cancellationToken))
            {
                return Buffered.IsEmpty ? null : throw new InvalidDataException($"the connection ended inside a request head ({Buffered.Length} bytes)");
            }
        }
    }

    /// <summary>Reads body bytes into <paramref name="body"/> until the body ends, <paramref name="limit"/> of them were read, or the connection ends.</summary>
    public async Task<BodyProgress> ReadBodyAsync(WireBodyDecoder decoder, Stream body, long limit, CancellationToken cancellationToken)
    {
        while (!decoder.Done && decoder.Read < limit)
        {
            var consumed = decoder.Decode(Buffered, body, limit);
            _start += consumed;
            if (decoder.Done || decoder.Read >= limit)
            {
                break;
            }

            if ((consumed == 0 || Buffered.IsEmpty) && !await FillAsync(cancellationToken))
            {
                return BodyProgress.ConnectionEnded;
            }
        }

        return decoder.Done ? BodyProgress.Complete : BodyProgress.Paused;
    }

    /// <summary>Reads and drops whatever arrives until the client closes (bounded by <paramref name="cancellationToken"/>).</summary>
    public async Task DiscardUntilClosedAsync(CancellationToken cancellationToken)
    {
        _start = _end = 0;
        while (await FillAsync(cancellationToken))
        {
            _start = _end = 0;
        }
    }

    /// <summary>Reads more bytes after those buffered; false at the end of the stream or when the connection went away.</summary>
    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffered.CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        try
        {
            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            _end += read;
            return read > 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }
}

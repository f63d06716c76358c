using System.Net.Sockets;
using MirrorGate.Tests.TestSupport;

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

    private readonly ReceiveBuffer _input = new(socket);

    /// <summary>
    /// The next request's head; null when the client closed the connection between requests.
    /// Throws <see cref="InvalidDataException"/> when the bytes are not a request.
    /// </summary>
    public async Task<WireRequestHead?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var data = _input.Data;
            var lineEnd = data.IndexOf("\r\n"u8);
            if (lineEnd >= 0 && !WireRequestHead.IsRequestLine(data[..lineEnd]))
            {
                throw new InvalidDataException($"not an HTTP/1.1 request line: {Printable(data[..lineEnd])}");
            }

            var headEnd = data.IndexOf("\r\n\r\n"u8);
            if (headEnd >= 0)
            {
                var head = WireRequestHead.Parse(data[..headEnd]);
                _input.Consume(headEnd + 4);
                return head;
            }

            if (data.Length > MaxHeadLength || (lineEnd < 0 && data.Length > 8 * 1024))
            {
                throw new InvalidDataException($"no request head in the first {data.Length} bytes: {Printable(data[..80])}");
            }

            if (!await _input.ReceiveAsync(cancellationToken))
            {
                return _input.IsEmpty ? null : throw new InvalidDataException($"the connection ended inside a request head ({_input.Data.Length} bytes)");
            }
        }
    }

    /// <summary>Reads body bytes into <paramref name="body"/> until the body ends, <paramref name="limit"/> of them were read, or the connection ends.</summary>
    public async Task<BodyProgress> ReadBodyAsync(WireBodyDecoder decoder, Stream body, long limit, CancellationToken cancellationToken)
    {
        while (!decoder.Done && decoder.Read < limit)
        {
            var consumed = decoder.Decode(_input.Data, body, limit);
            _input.Consume(consumed);
            if (decoder.Done || decoder.Read >= limit)
            {
                break;
            }

            if ((consumed == 0 || _input.IsEmpty) && !await _input.ReceiveAsync(cancellationToken))
            {
                return BodyProgress.ConnectionEnded;
            }
        }

        return decoder.Done ? BodyProgress.Complete : BodyProgress.Paused;
    }

    /// <summary>Reads and drops whatever arrives until the client closes (bounded by <paramref name="cancellationToken"/>).</summary>
    public async Task DiscardUntilClosedAsync(CancellationToken cancellationToken)
    {
        do
        {
            _input.Consume(_input.Data.Length);
        }
        while (await _input.ReceiveAsync(cancellationToken));
    }

    private static string Printable(ReadOnlySpan<byte> bytes) => WireRequestHead.Printable(System.Text.Encoding.Latin1.GetString(bytes));
}

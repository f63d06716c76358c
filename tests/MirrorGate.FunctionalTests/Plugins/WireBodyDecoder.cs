using System.Globalization;
using System.Text;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// Takes one request body off the wire in whatever pieces arrive, Content-Length or chunked,
/// and can stop after any number of body bytes and go on later: a mirror that answers early
/// answers in the middle of a body and reads the rest afterwards.
/// </summary>
internal sealed class WireBodyDecoder
{
    private const int MaxLineLength = 4096;

    private readonly bool _chunked;
    private long _remaining;
    private State _state;

    private WireBodyDecoder(bool chunked, long length)
    {
        _chunked = chunked;
        _remaining = length;
        _state = chunked ? State.SizeLine : length > 0 ? State.Data : State.Done;
    }

    private enum State
    {
        SizeLine,
        Data,
        DataEnd,
        Trailers,
        Done,
    }

    /// <summary>Body bytes taken so far (chunk framing not counted).</summary>
    public long Read { get; private set; }

    public bool Done => _state == State.Done;

    public static WireBodyDecoder For(WireRequestHead head) => new(head.Chunked, head.Chunked ? 0 : head.ContentLength);

    /// <summary>
    /// Takes what it can from <paramref name="input"/> into <paramref name="body"/> until the body
    /// ends or <see cref="Read"/> reaches <paramref name="limit"/>; returns the bytes consumed (0
    /// when a framing line is not whole yet). Throws <see cref="InvalidDataException"/> on broken framing.
    /// </summary>
    public int Decode(ReadOnlySpan<byte> input, Stream body, long limit)
    {
        var consumed = 0;
        while (consumed < input.Length && !Done)
        {
            var rest = input[consumed..];
            switch (_state)
            {
                case State.Data:
                    if (Read >= limit)
                    {
                        return consumed;
                    }

                    var n = (int)Math.Min(Math.Min(rest.Length, _remaining), limit - Read);
                    body.Write(rest[..n]);
                    consumed += n;
                    Read += n;
                    _remaining -= n;
                    if (_remaining == 0)
                    {
                        _state = _chunked ? State.DataEnd : State.Done;
                    }

                    break;
                case State.SizeLine:
                    if (Line(rest) is not { } sizeLine)
                    {
                        return consumed;
                    }

                    consumed += sizeLine.Length + 2;
                    var size = ChunkSize(sizeLine);
                    (_state, _remaining) = size == 0 ? (State.Trailers, 0) : (State.Data, size);
                    break;
                case State.DataEnd:
                    if (rest.Length < 2)
                    {
                        return consumed;
                    }

                    if (!rest.StartsWith("\r\n"u8))
                    {
                        throw new InvalidDataException("a chunk is longer than its size line says");
                    }

                    consumed += 2;
                    _state = State.SizeLine;
                    break;
                case State.Trailers:
                    if (Line(rest) is not { } trailer)
                    {
                        return consumed;
                    }

                    consumed += trailer.Length + 2;
                    if (trailer.Length == 0)
                    {
                        _state = State.Done;
                    }

                    break;
            }
        }

        return consumed;
    }

    /// <summary>The text before the next CRLF, or null when it has not all arrived.</summary>
    private static string? Line(ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return rest.Length > MaxLineLength ? throw new InvalidDataException("a chunk framing line longer than 4 KiB") : null;
        }

        return Encoding.Latin1.GetString(rest[..end]);
    }

    private static long ChunkSize(string line)
    {
        var hex = line.Split(';')[0].Trim();
        return long.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) && size >= 0
            ? size
            : throw new InvalidDataException($"not a chunk size line: {WireRequestHead.Printable(line)}");
    }
}

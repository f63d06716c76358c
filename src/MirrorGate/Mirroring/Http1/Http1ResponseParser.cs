using System.Buffers.Text;
using System.Text;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Mirroring.Http1;

/// <summary>What <see cref="Http1ResponseParser.Parse"/> found in the bytes it was given.</summary>
internal enum ResponseParse
{
    /// <summary>The response is not complete yet: call again with more bytes (unconsumed ones kept).</summary>
    NeedMoreData,

    /// <summary>A final response ended; <see cref="Http1ResponseParser.StatusCode"/> says how it was answered.</summary>
    Complete,

    /// <summary>The bytes are not an HTTP/1.x response: the connection cannot be trusted any more.</summary>
    Invalid,
}

/// <summary>
/// Reads the answers of a pipelined HTTP/1.1 connection just far enough to find where each one
/// ends: the status line, the headers that frame the body (Content-Length, chunked
/// Transfer-Encoding, Connection) and the body itself, which is skipped. Interim 1xx answers are
/// skipped; answers to HEAD, 204 and 304 have no body. The mirror's answer is otherwise ignored,
/// so nothing is allocated per response, unless the copy's answer is compared: then a
/// <see cref="ResponseCapture"/> given to <see cref="Reset"/> is shown the final answer's head
/// and every body byte as it is framed (chunk sizes and trailers left out).
/// </summary>
internal sealed class Http1ResponseParser
{
    /// <summary>A status line and headers larger than this are refused (as SocketsHttpHandler's 64 KiB default).</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    private enum State
    {
        Head,
        FixedBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
    }

    private State _state;
    private bool _noBody;
    private long _remaining;
    private ResponseCapture? _capture;

    public int StatusCode { get; private set; }

    /// <summary>False when the answer asked to close the connection (or is HTTP/1.0 without keep-alive).</summary>
    public bool KeepAlive { get; private set; }

    /// <summary>True while the body runs until the mirror closes the connection (no length given).</summary>
    public bool ReadsUntilClose => _state == State.UntilClose;

    /// <summary>The capture of the current answer, when it is kept (see <see cref="Reset"/>).</summary>
    public ResponseCapture? Capture => _capture;

    /// <summary>
    /// The kept answer (null when it is not kept), handed over once: the parser lets go of the
    /// capture, so a connection left idle after it holds no body prefix.
    /// <paramref name="announcedLength"/>: see <see cref="ResponseCapture.ToResponse"/>.
    /// </summary>
    public CapturedResponse? TakeAnswer(long? announcedLength = null)
    {
        var capture = _capture;
        _capture = null;
        return capture?.ToResponse(announcedLength);
    }

    /// <summary>Body bytes still to come of an answer with a Content-Length, while it is being read; otherwise null.</summary>
    public long? RemainingFixedBody => _state == State.FixedBody ? _remaining : null;

    /// <summary>
    /// Prepares for the answer to the next request; <paramref name="headRequest"/> means it has no
    /// body, and <paramref name="capture"/>, when given, is shown that answer as it is parsed.
    /// </summary>
    public void Reset(bool headRequest, ResponseCapture? capture = null)
    {
        _capture = capture;
        ResetAnswer(headRequest);
    }

    /// <summary>Forgets the answer parsed so far (an interim one), keeping the capture for the final one.</summary>
    private void ResetAnswer(bool headRequest)
    {
        _state = State.Head;
        _noBody = headRequest;
        _remaining = 0;
        StatusCode = 0;
        KeepAlive = true;
    }

    /// <summary>
    /// Consumes as much of <paramref name="data"/> as belongs to the current answer. Stops right
    /// after an answer that completes, so the caller can start the next one on the rest.
    /// </summary>
    public ResponseParse Parse(ReadOnlySpan<byte> data, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            var rest = data[consumed..];
            switch (_state)
            {
                case State.Head:
                {
                    var end = rest.IndexOf("\r\n\r\n"u8);
                    if (end < 0)
                    {
                        return rest.Length >= MaxHeaderBytes ? ResponseParse.Invalid : ResponseParse.NeedMoreData;
                    }

                    if (end + 4 > MaxHeaderBytes || !ParseHead(rest[..(end + 2)]))
                    {
                        return ResponseParse.Invalid;
                    }

                    consumed += end + 4;
                    if (StatusCode < 200)
                    {
                        // An interim answer (103 Early Hints and the like): the final one follows.
                        ResetAnswer(_noBody);
                        continue;
                    }

                    if (_state == State.Head)
                    {
                        // ParseHead found no body framing to follow.
                        return ResponseParse.Complete;
                    }

                    continue;
                }

                case State.FixedBody:
                {
                    var take = (int)Math.Min(_remaining, rest.Length);
                    _capture?.OnBody(rest[..take]);
                    consumed += take;
                    _remaining -= take;
                    if (_remaining == 0)
                    {
                        _state = State.Head;
                        return ResponseParse.Complete;
                    }

                    return ResponseParse.NeedMoreData;
                }

                case State.ChunkSize:
                {
                    var lineEnd = rest.IndexOf("\r\n"u8);
                    if (lineEnd < 0)
                    {
                        return rest.Length > 1024 ? ResponseParse.Invalid : ResponseParse.NeedMoreData;
                    }

                    var line = rest[..lineEnd];
                    var extension = line.IndexOf((byte)';');
                    if (extension >= 0)
                    {
                        line = line[..extension];
                    }

                    line = line.TrimEnd(" \t"u8);
                    // At most 15 hex digits: every such size fits a long (no server sends a chunk near 2^60).
                    if (line.IsEmpty || line.Length > 15 || !Utf8Parser.TryParse(line, out ulong size, out var used, 'X') || used != line.Length)
                    {
                        return ResponseParse.Invalid;
                    }

                    consumed += lineEnd + 2;
                    if (size == 0)
                    {
                        _state = State.Trailers;
                    }
                    else
                    {
                        _remaining = (long)size;
                        _state = State.ChunkData;
                    }

                    continue;
                }

                case State.ChunkData:
                {
                    var take = (int)Math.Min(_remaining, rest.Length);
                    _capture?.OnBody(rest[..take]);
                    consumed += take;
                    _remaining -= take;
                    if (_remaining > 0)
                    {
                        return ResponseParse.NeedMoreData;
                    }

                    _state = State.ChunkDataEnd;
                    continue;
                }

                case State.ChunkDataEnd:
                {
                    if (rest.Length < 2)
                    {
                        return ResponseParse.NeedMoreData;
                    }

                    if (rest[0] != (byte)'\r' || rest[1] != (byte)'\n')
                    {
                        return ResponseParse.Invalid;
                    }

                    consumed += 2;
                    _state = State.ChunkSize;
                    continue;
                }

                case State.Trailers:
                {
                    var lineEnd = rest.IndexOf("\r\n"u8);
                    if (lineEnd < 0)
                    {
                        return rest.Length >= MaxHeaderBytes ? ResponseParse.Invalid : ResponseParse.NeedMoreData;
                    }

                    consumed += lineEnd + 2;
                    if (lineEnd == 0)
                    {
                        _state = State.Head;
                        return ResponseParse.Complete;
                    }

                    continue;
                }

                case State.UntilClose:
                    _capture?.OnBody(rest);
                    consumed += rest.Length;
                    return ResponseParse.NeedMoreData;

                default:
                    return ResponseParse.Invalid;
            }
        }
    }

    /// <summary>
    /// The mirror closed the connection: true when that ends the current answer (a body that runs
    /// until close), false when the answer was cut short or had not started.
    /// </summary>
    public bool CompleteAtEndOfStream()
    {
        if (_state != State.UntilClose)
        {
            return false;
        }

        _state = State.Head;
        return true;
    }

    /// <summary>Status line and header lines (each ending in CRLF), without the blank line.</summary>
    private bool ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = head[..lineEnd];

        // "HTTP/1.1 200 OK": version, a space, three digits, then an optional reason.
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || statusLine[8] != (byte)' '
            || !IsDigit(statusLine[9]) || !IsDigit(statusLine[10]) || !IsDigit(statusLine[11])
            || (statusLine.Length > 12 && statusLine[12] != (byte)' '))
        {
            return false;
        }

        var http10 = statusLine[7] == (byte)'0';
        StatusCode = ((statusLine[9] - '0') * 100) + ((statusLine[10] - '0') * 10) + (statusLine[11] - '0');
        long? contentLength = null;
        var chunked = false;
        var close = false;
        var keepAlive = false;

        var lines = head[(lineEnd + 2)..];
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = lines[..end];
            lines = lines[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                return false;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!Utf8Parser.TryParse(value, out long length, out var used) || used != value.Length || length < 0
                    || (contentLength is { } earlier && earlier != length))
                {
                    return false;
                }

                contentLength = length;
            }
            else if (name.Length == 17 && Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                // Chunked must be the last coding; anything else leaves the length to the close.
                var last = value.LastIndexOf((byte)',');
                chunked = Ascii.EqualsIgnoreCase((last < 0 ? value : value[(last + 1)..]).Trim(" \t"u8), "chunked"u8);
                if (!chunked)
                {
                    close = true;
                }
            }
            else if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close |= HasToken(value, "close"u8);
                keepAlive |= HasToken(value, "keep-alive"u8);
            }
        }

        KeepAlive = !close && (!http10 || keepAlive);
        if (StatusCode >= 200)
        {
            // Only the final answer is kept; an interim one's headers say nothing about it.
            _capture?.OnHead(StatusCode, head[(lineEnd + 2)..], _noBody || StatusCode is 204 or 304 || chunked ? null : contentLength);
        }

        if (_noBody || StatusCode is 204 or 304 || StatusCode < 200)
        {
            _state = State.Head;
        }
        else if (chunked)
        {
            _state = State.ChunkSize;
        }
        else if (contentLength is { } length)
        {
            _remaining = length;
            _state = length == 0 ? State.Head : State.FixedBody;
        }
        else
        {
            // No framing: the body runs until the mirror closes the connection.
            _state = State.UntilClose;
            KeepAlive = false;
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        while (!value.IsEmpty)
        {
            var comma = value.IndexOf((byte)',');
            var item = (comma < 0 ? value : value[..comma]).Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(item, token))
            {
                return true;
            }

            value = comma < 0 ? default : value[(comma + 1)..];
        }

        return false;
    }
}

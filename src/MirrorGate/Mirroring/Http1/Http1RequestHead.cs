using System.Buffers.Text;
using System.Text;

namespace MirrorGate.Mirroring.Http1;

/// <summary>
/// Writes a mirror copy's request line and headers as HTTP/1.1 bytes, straight into the
/// connection's send buffer: no HttpRequestMessage, no header collection, no strings.
/// A copy is written exactly or not at all: a field that could end a line early (CR, LF, NUL)
/// or a target that is no target would split the head and desynchronise every copy pipelined
/// behind it on the connection, so such a copy is refused when it is made (<see cref="CanWrite"/>)
/// and the writer throws rather than write it.
/// </summary>
internal static class Http1RequestHead
{
    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    /// <summary>
    /// Why <paramref name="request"/> cannot be written, or null when it can: a CR, LF or NUL in
    /// the method, target, Host or a header, or a target that is neither origin form
    /// (<c>/path?query</c>) nor <c>*</c> with OPTIONS.
    /// </summary>
    public static string? Unwritable(MirrorRequest request)
    {
        if (HasLineBreak(request.Method.Method))
        {
            return "the method contains CR, LF or NUL";
        }

        var target = request.PathAndQuery;
        if (target.Length == 0)
        {
            return "the request target is empty";
        }

        if (target == "*" ? request.Method != HttpMethod.Options : target[0] != '/')
        {
            return "the request target must start with / (or be * with OPTIONS)";
        }

        if (HasLineBreak(target))
        {
            return "the request target contains CR, LF or NUL";
        }

        if (HasLineBreak(request.Host))
        {
            return "the Host header contains CR, LF or NUL";
        }

        foreach (var (name, values) in request.Headers)
        {
            if (HasLineBreak(name))
            {
                return "a header name contains CR, LF or NUL";
            }

            foreach (var value in values)
            {
                if (HasLineBreak(value))
                {
                    return $"the {name} header contains CR, LF or NUL";
                }
            }
        }

        return null;
    }

    /// <summary>An upper bound of <see cref="Write"/>'s length for <paramref name="request"/>.</summary>
    public static int MaxLength(MirrorRequest request)
    {
        // Method, target (each char may become %XX%XX%XX), " HTTP/1.1\r\nHost: ...\r\n", Content-Length, blank line.
        var length = request.Method.Method.Length + (request.PathAndQuery.Length * 9) + request.Host.Length + 80;
        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                length += name.Length + value.Length + 4;
            }
        }

        return length;
    }

    /// <summary>Writes the head into <paramref name="destination"/> (at least <see cref="MaxLength"/> long); returns the bytes written.</summary>
    /// <exception cref="ArgumentException">The request fails <see cref="CanWrite"/>; nothing was written.</exception>
    public static int Write(MirrorRequest request, Span<byte> destination)
    {
        if (Unwritable(request) is { } problem)
        {
            // The last line of defence: copies are checked when they are made.
            throw new ArgumentException($"mirror copy not written: {problem}", nameof(request));
        }

        var w = new SpanWriter(destination);
        w.Ascii(request.Method.Method);
        w.Byte((byte)' ');
        WriteTarget(ref w, request.PathAndQuery);
        w.Bytes(" HTTP/1.1\r\nHost: "u8);
        w.Latin1(request.Host);
        w.Bytes("\r\n"u8);

        foreach (var (name, values) in request.Headers)
        {
            if (values.Length == 0)
            {
                continue;
            }

            w.Ascii(name);
            w.Bytes(": "u8);

            // Repeated client headers travel as one line, as the upstream gets them.
            var separator = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; "u8 : ", "u8;
            for (var i = 0; i < values.Length; i++)
            {
                if (i > 0)
                {
                    w.Bytes(separator);
                }

                w.Latin1(values[i]);
            }

            w.Bytes("\r\n"u8);
        }

        if (request.Body is { } body)
        {
            w.Bytes("Content-Length: "u8);
            w.Number(body.Length);
            w.Bytes("\r\n"u8);
        }
        else if (request.Method == HttpMethod.Post || request.Method == HttpMethod.Put || request.Method == HttpMethod.Patch)
        {
            // An empty body stated, as HTTP clients do for these methods: some servers answer 411 without it.
            w.Bytes("Content-Length: 0\r\n"u8);
        }

        w.Bytes("\r\n"u8);
        return w.Written;
    }

    /// <summary>
    /// The path and query as built, with only what cannot travel in a request line
    /// percent-encoded (controls, spaces, non-ASCII as UTF-8, and <c>#</c>, which would start a
    /// fragment: in a configured <c>path</c> it can only mean the character); existing escapes are kept.
    /// </summary>
    private static void WriteTarget(ref SpanWriter w, string target)
    {
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < target.Length; i++)
        {
            var c = target[i];
            if (c is > ' ' and < (char)0x7F and not '#')
            {
                w.Byte((byte)c);
                continue;
            }

            var n = char.IsHighSurrogate(c) && i + 1 < target.Length && char.IsLowSurrogate(target[i + 1])
                ? Encoding.UTF8.GetBytes(target.AsSpan(i++, 2), utf8)
                : Encoding.UTF8.GetBytes(target.AsSpan(i, 1), utf8);
            foreach (var b in utf8[..n])
            {
                w.Byte((byte)'%');
                w.Byte(Hex[b >> 4]);
                w.Byte(Hex[b & 0xF]);
            }
        }
    }

    private static bool HasLineBreak(string text) => text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;

    private ref struct SpanWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Written { get; private set; }

        public void Byte(byte b) => _destination[Written++] = b;

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_destination[Written..]);
            Written += bytes.Length;
        }

        public void Ascii(string text) => Written += Encoding.ASCII.GetBytes(text, _destination[Written..]);

        /// <summary>Header values as Latin-1, as Kestrel read them; anything beyond it becomes '?'.</summary>
        public void Latin1(string text) => Written += Encoding.Latin1.GetBytes(text, _destination[Written..]);

        public void Number(long value)
        {
            Utf8Formatter.TryFormat(value, _destination[Written..], out var n);
            Written += n;
        }
    }
}

using System.Text;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// A mirror's answer to a compared copy as the HTTP/1.1 reader sees it go by: the final
/// answer's status and header lines (interim 1xx answers are not kept), then the body bytes the
/// parser frames, with chunk framing already removed. Chunked trailers are not kept. Made only
/// for copies that carry an <see cref="IMirrorAnswerSink"/>, so copies without one allocate
/// nothing per answer; its size is bounded by the parser's 64 KiB head limit and the sink's
/// <see cref="IMirrorAnswerSink.MaxBodyBytes"/>.
/// </summary>
internal sealed class ResponseCapture
{
    private readonly ResponseCaptureBody _body;
    private KeyValuePair<string, string[]>[] _headers = [];

    public ResponseCapture(int maxBodyBytes) => _body = new ResponseCaptureBody(maxBodyBytes);

    public int Status { get; private set; }

    /// <summary>Body bytes seen so far (kept or not).</summary>
    public long BodyLength => _body.Length;

    /// <summary>True once every body byte the answer may keep has been kept.</summary>
    public bool BodyPrefixFull => _body.Full;

    /// <summary>
    /// The final answer's head: <paramref name="headerLines"/> are the header lines, each ending
    /// in CRLF, already checked by the parser (every one has a name before its colon).
    /// </summary>
    public void OnHead(int status, ReadOnlySpan<byte> headerLines, long? contentLength)
    {
        Status = status;
        _headers = ParseHeaders(headerLines);
        if (contentLength is { } length)
        {
            _body.Expect(length);
        }
    }

    public void OnBody(ReadOnlySpan<byte> data) => _body.Append(data);

    /// <summary>
    /// The answer as kept. <paramref name="announcedLength"/> replaces the count of bytes seen
    /// when the reading stopped before the body's end and the answer had said how long it is.
    /// </summary>
    public CapturedResponse ToResponse(long? announcedLength = null) => new()
    {
        Status = Status,
        Headers = _headers,
        Body = _body.Kept,
        BodyLength = announcedLength ?? _body.Length,
    };

    /// <summary>
    /// Header lines as name/values pairs, in the order the names first appear (spelled as that
    /// first line did); a name that comes back on later lines gets those values added, unjoined,
    /// as <c>IHeaderDictionary</c> keeps the primary's. Bytes are read as Latin-1, as HTTP/1.1 defines.
    /// </summary>
    internal static KeyValuePair<string, string[]>[] ParseHeaders(ReadOnlySpan<byte> lines)
    {
        var names = new List<string>();
        var values = new List<List<string>>();
        Dictionary<string, int>? index = null;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf("\r\n"u8);
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? default : lines[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = Encoding.Latin1.GetString(line[..colon]);
            var value = Encoding.Latin1.GetString(line[(colon + 1)..].Trim(" \t"u8));
            index ??= new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            if (index.TryGetValue(name, out var at))
            {
                values[at].Add(value);
            }
            else
            {
                index.Add(name, names.Count);
                names.Add(name);
                values.Add([value]);
            }
        }

        var headers = new KeyValuePair<string, string[]>[names.Count];
        for (var i = 0; i < headers.Length; i++)
        {
            headers[i] = new(names[i], [.. values[i]]);
        }

        return headers;
    }
}

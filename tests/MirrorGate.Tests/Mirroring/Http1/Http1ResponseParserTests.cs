using System.Text;
using MirrorGate.Mirroring.Http1;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>
/// The mirror connection's answer parser: where each answer ends (status line, Content-Length,
/// chunked bodies with extensions and trailers, bodiless answers, bodies that run until close),
/// whether the connection stays usable, and which bytes are refused. Every well-formed answer is
/// also fed split at every byte boundary, keeping the unconsumed bytes as the read loop does.
/// </summary>
public sealed class Http1ResponseParserTests
{
    /// <summary>What the parser made of one answer.</summary>
    private sealed record Outcome(ResponseParse Result, int Consumed, int StatusCode, bool KeepAlive);

    /// <summary>Well-formed answers that end on their own: (name, bytes, HEAD request, status, keep-alive).</summary>
    public static TheoryData<string, string, bool, int, bool> CompleteAnswers() => new()
    {
        { "content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello", false, 200, true },
        { "content-length zero", "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", false, 201, true },
        { "no reason phrase", "HTTP/1.1 404\r\nContent-Length: 3\r\n\r\nnop", false, 404, true },
        { "empty reason phrase", "HTTP/1.1 500 \r\nContent-Length: 1\r\n\r\nx", false, 500, true },
        { "header names any case, value padded", "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: \t 4 \t\r\n\r\nbody", false, 200, true },
        { "same content-length twice", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok", false, 200, true },
        { "204 without length", "HTTP/1.1 204 No Content\r\n\r\n", false, 204, true },
        { "204 with a length it must not have", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", false, 204, true },
        { "304 with length of the full resource", "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nETag: \"a\"\r\n\r\n", false, 304, true },
        { "HEAD with content-length, no body", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", true, 200, true },
        { "HEAD with chunked, no body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true, 200, true },
        { "HEAD without framing, no body", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", true, 200, true },
        { "chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n", false, 200, true },
        { "chunked hex sizes", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0B\r\n0123456789a\r\n0\r\n\r\n", false, 200, true },
        { "chunked with extensions", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;name=value\r\nabcd\r\n3 ; q=\"x;y\"\r\nefg\r\n0;last\r\n\r\n", false, 200, true },
        { "chunked with trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n2\r\nhi\r\n0\r\nX-Sum: 2\r\nX-Other: a b\r\n\r\n", false, 200, true },
        { "chunked any case, after another coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n1\r\nz\r\n0\r\n\r\n", false, 200, true },
        { "chunked wins over content-length", "HTTP/1.1 200 OK\r\nContent-Length: 999\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", false, 200, true },
        { "chunked empty body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false, 200, true },
        { "100 continue skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 200, true },
        { "several interim answers skipped", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n", false, 202, true },
        { "interim answer before a HEAD answer", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", true, 200, true },
        { "connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false, 200, false },
        { "connection close among tokens", "HTTP/1.1 200 OK\r\nConnection: Upgrade ,  CLOSE\r\nContent-Length: 2\r\n\r\nok", false, 200, false },
        { "connection keep-alive", "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", false, 200, true },
        { "HTTP/1.0 closes by default", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, 200, false },
        { "HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", false, 200, true },
        { "HTTP/1.0 keep-alive and close", "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\nok", false, 200, false },
        { "status classes beyond 5xx still parse", "HTTP/1.1 599 Odd\r\nContent-Length: 0\r\n\r\n", false, 599, true },
    };

    /// <summary>Bytes that are not an HTTP/1.x answer, or break its framing.</summary>
    public static TheoryData<string, string> InvalidAnswers() => new()
    {
        { "garbage", "garbage\r\n\r\n" },
        { "HTTP/2 status line", "HTTP/2 200 OK\r\n\r\n" },
        { "lower-case protocol", "http/1.1 200 OK\r\n\r\n" },
        { "two-digit status", "HTTP/1.1 20 OK\r\n\r\n" },
        { "status with a letter", "HTTP/1.1 2x0 OK\r\n\r\n" },
        { "reason without a space", "HTTP/1.1 200OK\r\n\r\n" },
        { "no space after version", "HTTP/1.1_200 OK\r\n\r\n" },
        { "header line without colon", "HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\nhello" },
        { "header line with empty name", "HTTP/1.1 200 OK\r\n: x\r\n\r\n" },
        { "content-length not a number", "HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\n" },
        { "content-length negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n" },
        { "content-length empty", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n" },
        { "content-length list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok" },
        { "conflicting content-length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk" },
        { "chunk size not hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n" },
        { "chunk size missing", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n" },
        { "chunk size only an extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n;ext\r\nhello\r\n0\r\n\r\n" },
        { "chunk size over 16 digits", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n" },
        { "chunk data longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n" },
        { "chunk data without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi0\r\n\r\n" },
    };

    [Theory]
    [MemberData(nameof(CompleteAnswers))]
    public void Parse_WholeAnswer_CompleteWithStatusKeepAliveAndEveryByteConsumed(string name, string answer, bool head, int status, bool keepAlive)
    {
        var bytes = Encoding.Latin1.GetBytes(answer);

        var outcome = Feed(bytes, head, [bytes.Length]);

        Assert.True(outcome == new Outcome(ResponseParse.Complete, bytes.Length, status, keepAlive), $"{name}: {outcome}");
    }

    [Theory]
    [MemberData(nameof(CompleteAnswers))]
    public void Parse_AnswerSplitAtEveryByte_SameOutcomeAsWhole(string name, string answer, bool head, int status, bool keepAlive)
    {
        var bytes = Encoding.Latin1.GetBytes(answer);
        var expected = new Outcome(ResponseParse.Complete, bytes.Length, status, keepAlive);

        for (var split = 1; split < bytes.Length; split++)
        {
            var outcome = Feed(bytes, head, [split, bytes.Length]);
            Assert.True(outcome == expected, $"{name}, split after byte {split}: {outcome}");
        }
    }

    [Theory]
    [MemberData(nameof(CompleteAnswers))]
    public void Parse_AnswerOneByteAtATime_SameOutcomeAsWhole(string name, string answer, bool head, int status, bool keepAlive)
    {
        var bytes = Encoding.Latin1.GetBytes(answer);

        var outcome = Feed(bytes, head, [.. Enumerable.Range(1, bytes.Length)]);

        Assert.True(outcome == new Outcome(ResponseParse.Complete, bytes.Length, status, keepAlive), $"{name}: {outcome}");
    }

    [Theory]
    [MemberData(nameof(CompleteAnswers))]
    public void Parse_AnswerFollowedByNextAnswer_StopsExactlyAtItsEnd(string name, string answer, bool head, int status, bool keepAlive)
    {
        var first = Encoding.Latin1.GetBytes(answer);
        var second = "HTTP/1.1 418 Teapot\r\nContent-Length: 3\r\n\r\ntea"u8.ToArray();
        var parser = new Http1ResponseParser();
        parser.Reset(head);

        var result = parser.Parse([.. first, .. second], out var consumed);

        Assert.True(result == ResponseParse.Complete && consumed == first.Length, $"{name}: {result}, consumed {consumed} of {first.Length}");
        Assert.Equal(status, parser.StatusCode);
        Assert.Equal(keepAlive, parser.KeepAlive);
    }

    [Fact]
    public void Parse_TwoPipelinedAnswersInOneBuffer_TwoCompletesWithExactConsumed()
    {
        var first = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"u8.ToArray();
        var second = "HTTP/1.1 503 Busy\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nT: v\r\n\r\n"u8.ToArray();
        byte[] buffer = [.. first, .. second];
        var parser = new Http1ResponseParser();

        parser.Reset(headRequest: false);
        var one = parser.Parse(buffer, out var consumedOne);
        var statusOne = parser.StatusCode;
        parser.Reset(headRequest: false);
        var two = parser.Parse(buffer.AsSpan(consumedOne), out var consumedTwo);

        Assert.Equal(ResponseParse.Complete, one);
        Assert.Equal(first.Length, consumedOne);
        Assert.Equal(200, statusOne);
        Assert.Equal(ResponseParse.Complete, two);
        Assert.Equal(second.Length, consumedTwo);
        Assert.Equal(503, parser.StatusCode);
    }

    [Fact]
    public void Parse_HeadAnswerThenGetAnswerPipelined_HeadAnswerEndsAtItsHeaders()
    {
        // The HEAD answer states the length of the resource; the bytes after its head are the next answer.
        var headAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 48\r\n\r\n"u8.ToArray();
        var getAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();
        byte[] buffer = [.. headAnswer, .. getAnswer];
        var parser = new Http1ResponseParser();

        parser.Reset(headRequest: true);
        var one = parser.Parse(buffer, out var consumedOne);
        parser.Reset(headRequest: false);
        var two = parser.Parse(buffer.AsSpan(consumedOne), out var consumedTwo);

        Assert.Equal((ResponseParse.Complete, headAnswer.Length), (one, consumedOne));
        Assert.Equal((ResponseParse.Complete, getAnswer.Length), (two, consumedTwo));
    }

    [Fact]
    public void Parse_ManyPipelinedAnswersFedInOddPieces_EachCompletesOnceInOrder()
    {
        var answers = new[]
        {
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2;e\r\nxy\r\n0\r\nA: b\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 500 Oops\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n!\r\n0\r\n\r\n",
        };
        var stream = Encoding.Latin1.GetBytes(string.Concat(answers));
        int[] expectedStatus = [200, 201, 304, 204, 404, 500];

        foreach (var piece in new[] { 1, 2, 3, 7, 13, 64, stream.Length })
        {
            var statuses = new List<int>();
            var parser = new Http1ResponseParser();
            parser.Reset(headRequest: false);
            var received = 0;
            var start = 0;
            while (received < stream.Length)
            {
                received = Math.Min(stream.Length, received + piece);
                while (start < received)
                {
                    var result = parser.Parse(stream.AsSpan(start, received - start), out var consumed);
                    Assert.InRange(consumed, 0, received - start);
                    start += consumed;
                    Assert.NotEqual(ResponseParse.Invalid, result);
                    if (result == ResponseParse.NeedMoreData)
                    {
                        break;
                    }

                    statuses.Add(parser.StatusCode);
                    parser.Reset(headRequest: false);
                }
            }

            Assert.Equal(stream.Length, start);
            Assert.Equal(expectedStatus, statuses);
        }
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n", "the body runs until the mirror closes")]
    [InlineData("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n", "keep-alive without a length cannot keep the connection")]
    [InlineData("HTTP/1.0 200 OK\r\nServer: old\r\n\r\n", "HTTP/1.0 without a length")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "a coding other than chunked last")]
    public void Parse_AnswerWithoutLength_ReadsUntilCloseAndCompletesAtEndOfStream(string head, string why)
    {
        var body = "a body of unknown length, 0\r\n\r\n and more"u8.ToArray();
        byte[] bytes = [.. Encoding.Latin1.GetBytes(head), .. body];

        for (var split = 1; split <= bytes.Length; split++)
        {
            var parser = new Http1ResponseParser();
            parser.Reset(headRequest: false);
            var start = 0;
            foreach (var end in new[] { split, bytes.Length })
            {
                var result = parser.Parse(bytes.AsSpan(start, end - start), out var consumed);
                Assert.True(result == ResponseParse.NeedMoreData, $"{why}, split {split}: {result}");
                start += consumed;
            }

            // Every byte belongs to the answer; only the close ends it, and the connection cannot be reused.
            Assert.True(start == bytes.Length, $"{why}, split {split}: consumed {start} of {bytes.Length}");
            Assert.True(parser.ReadsUntilClose, why);
            Assert.False(parser.KeepAlive, why);
            Assert.Equal(200, parser.StatusCode);
            Assert.True(parser.CompleteAtEndOfStream(), why);
            Assert.False(parser.ReadsUntilClose, why);
        }
    }

    [Theory]
    [InlineData("", "nothing of the answer arrived")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Le", "the head was cut")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", "the body was cut")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "a chunk was cut")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", "the last chunk never came")]
    [InlineData("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n", "the trailers were cut")]
    [InlineData("HTTP/1.1 100 Continue\r\n\r\n", "only an interim answer came")]
    public void CompleteAtEndOfStream_AnswerCutShort_False(string partial, string why)
    {
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var bytes = Encoding.Latin1.GetBytes(partial);

        var result = parser.Parse(bytes, out _);

        Assert.True(result == ResponseParse.NeedMoreData, $"{why}: {result}");
        Assert.False(parser.CompleteAtEndOfStream(), why);
    }

    [Theory]
    [MemberData(nameof(InvalidAnswers))]
    public void Parse_NotValidHttp_Invalid(string name, string answer)
    {
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var bytes = Encoding.Latin1.GetBytes(answer);

        var result = parser.Parse(bytes, out var consumed);

        Assert.True(result == ResponseParse.Invalid, $"{name}: {result}");
        Assert.InRange(consumed, 0, bytes.Length);
    }

    [Theory]
    [MemberData(nameof(InvalidAnswers))]
    public void Parse_NotValidHttpFedByteByByte_InvalidNeverComplete(string name, string answer)
    {
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var bytes = Encoding.Latin1.GetBytes(answer);
        var start = 0;
        var result = ResponseParse.NeedMoreData;
        for (var end = 1; end <= bytes.Length && result == ResponseParse.NeedMoreData; end++)
        {
            result = parser.Parse(bytes.AsSpan(start, end - start), out var consumed);
            Assert.InRange(consumed, 0, end - start);
            start += consumed;
        }

        Assert.True(result == ResponseParse.Invalid, $"{name}: {result}");
    }

    [Fact]
    public void Parse_HeadOfExactlyMaxHeaderBytes_Complete()
    {
        var bytes = AnswerWithHeadLength(Http1ResponseParser.MaxHeaderBytes);
        Assert.Equal(Http1ResponseParser.MaxHeaderBytes, bytes.Length);

        var outcome = Feed(bytes, head: false, [bytes.Length]);

        Assert.Equal(new Outcome(ResponseParse.Complete, bytes.Length, 200, true), outcome);
    }

    [Fact]
    public void Parse_HeadOneByteOverMaxHeaderBytes_Invalid()
    {
        var bytes = AnswerWithHeadLength(Http1ResponseParser.MaxHeaderBytes + 1);

        var outcome = Feed(bytes, head: false, [bytes.Length]);

        Assert.Equal(ResponseParse.Invalid, outcome.Result);
    }

    [Fact]
    public void Parse_HeadNeverEndsPastMaxHeaderBytes_InvalidWithoutWaitingForMore()
    {
        // A mirror that streams header bytes forever must not make the connection buffer them forever.
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var bytes = new byte[Http1ResponseParser.MaxHeaderBytes];
        var prefix = "HTTP/1.1 200 OK\r\nX-Long: "u8;
        prefix.CopyTo(bytes);
        bytes.AsSpan(prefix.Length).Fill((byte)'a');

        Assert.Equal(ResponseParse.NeedMoreData, parser.Parse(bytes.AsSpan(0, bytes.Length - 1), out var before));
        Assert.Equal(0, before);
        Assert.Equal(ResponseParse.Invalid, parser.Parse(bytes, out _));
    }

    [Fact]
    public void Parse_TrailersNeverEndPastMaxHeaderBytes_Invalid()
    {
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: "u8.ToArray();
        var bytes = new byte[head.Length + Http1ResponseParser.MaxHeaderBytes];
        head.CopyTo(bytes, 0);
        bytes.AsSpan(head.Length).Fill((byte)'t');

        var result = parser.Parse(bytes, out _);

        Assert.Equal(ResponseParse.Invalid, result);
    }

    [Fact]
    public void Parse_ChunkSizeLineNeverEnds_InvalidAfter1024Bytes()
    {
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;"u8.ToArray();
        var bytes = new byte[head.Length + 2000];
        head.CopyTo(bytes, 0);
        bytes.AsSpan(head.Length).Fill((byte)'e');

        var result = parser.Parse(bytes, out _);

        Assert.Equal(ResponseParse.Invalid, result);
    }

    [Fact]
    public void Parse_LargeFixedBodyInPieces_NeedMoreDataUntilLastByte()
    {
        const int Length = 300_000;
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {Length}\r\n\r\n");
        var body = new byte[Length];

        Assert.Equal(ResponseParse.NeedMoreData, parser.Parse(head, out var consumedHead));
        Assert.Equal(head.Length, consumedHead);
        var seen = 0;
        while (seen < Length - 16 * 1024)
        {
            Assert.Equal(ResponseParse.NeedMoreData, parser.Parse(body.AsSpan(seen, 16 * 1024), out var consumed));
            Assert.Equal(16 * 1024, consumed);
            seen += consumed;
        }

        Assert.Equal(ResponseParse.Complete, parser.Parse(body.AsSpan(seen), out var last));
        Assert.Equal(Length - seen, last);
    }

    [Fact]
    public void Reset_AfterAnAnswer_ForgetsStatusAndKeepAlive()
    {
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);
        Assert.Equal(ResponseParse.Complete, parser.Parse("HTTP/1.1 500 X\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"u8, out _));
        Assert.False(parser.KeepAlive);

        parser.Reset(headRequest: false);

        Assert.Equal(0, parser.StatusCode);
        Assert.True(parser.KeepAlive);
        Assert.False(parser.ReadsUntilClose);
    }

    // A chunk size of 16 hex digits may exceed long.MaxValue: refused, never wrapped to a
    // negative remainder (which made the chunk look empty and lost the connection's framing).
    [Theory]
    [InlineData("8000000000000000")]
    [InlineData("FFFFFFFFFFFFFFFF")]
    public void Parse_ChunkSizeBeyondLongRange_NeverComplete(string size)
    {
        var answer = $"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\n\r\n0\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(answer);
        var parser = new Http1ResponseParser();
        parser.Reset(headRequest: false);

        var result = parser.Parse(bytes, out var consumed);

        Assert.InRange(consumed, 0, bytes.Length);
        Assert.NotEqual(ResponseParse.Complete, result);
    }

    /// <summary>
    /// Feeds <paramref name="bytes"/> as the read loop does: each call sees the unconsumed bytes
    /// plus whatever arrived up to the next of <paramref name="arrivals"/> (cumulative lengths).
    /// Stops at the first Complete or Invalid.
    /// </summary>
    private static Outcome Feed(byte[] bytes, bool head, int[] arrivals)
    {
        var parser = new Http1ResponseParser();
        parser.Reset(head);
        var start = 0;
        var result = ResponseParse.NeedMoreData;
        foreach (var end in arrivals)
        {
            result = parser.Parse(bytes.AsSpan(start, end - start), out var consumed);
            Assert.InRange(consumed, 0, end - start);
            start += consumed;
            if (result != ResponseParse.NeedMoreData)
            {
                break;
            }
        }

        return new Outcome(result, start, parser.StatusCode, parser.KeepAlive);
    }

    /// <summary>A 200 answer with no body whose head (status line to blank line) is exactly <paramref name="length"/> bytes.</summary>
    private static byte[] AnswerWithHeadLength(int length)
    {
        var prefix = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Pad: "u8;
        var suffix = "\r\n\r\n"u8;
        var bytes = new byte[length];
        prefix.CopyTo(bytes);
        bytes.AsSpan(prefix.Length, length - prefix.Length - suffix.Length).Fill((byte)'p');
        suffix.CopyTo(bytes.AsSpan(length - suffix.Length));
        return bytes;
    }
}

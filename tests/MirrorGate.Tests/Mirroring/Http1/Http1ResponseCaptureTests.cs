using System.Text;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Mirroring.Http1;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>
/// The parser showing a compared copy's answer to its <see cref="ResponseCapture"/>: the final
/// answer's status and headers (interim answers left out, repeated names kept with every value),
/// the body with chunk framing removed (trailers left out), kept up to the limit and counted to
/// its end; fed whole, split at every byte boundary, one byte at a time, and pipelined behind or
/// before answers that are not kept. Without a capture the parser allocates nothing.
/// </summary>
public sealed class Http1ResponseCaptureTests
{
    /// <summary>(name, bytes, HEAD request, body limit, status, headers as "Name: v1 | v2" lines, kept body, body length).</summary>
    public static TheoryData<string, string, bool, int, int, string, string, long> Answers() => new()
    {
        {
            "content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
            false, 100, 200, "Content-Length: 5\nContent-Type: text/plain", "hello", 5
        },
        {
            "repeated names, values trimmed, first spelling kept", "HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nX-A: \t x y \t\r\nset-cookie: b=2\r\nContent-Length: 2\r\nSET-COOKIE:c=3\r\n\r\nok",
            false, 100, 201, "Set-Cookie: a=1 | b=2 | c=3\nX-A: x y\nContent-Length: 2", "ok", 2
        },
        {
            "empty header value", "HTTP/1.1 200 OK\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n",
            false, 100, 200, "X-Empty: \nContent-Length: 0", "", 0
        },
        {
            "latin-1 header bytes", "HTTP/1.1 200 OK\r\nX-Name: caf\u00e9\r\nContent-Length: 0\r\n\r\n",
            false, 100, 200, "X-Name: caf\u00e9\nContent-Length: 0", "", 0
        },
        {
            "chunked with extensions and trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n4;name=value\r\nabcd\r\n3 ; q=\"x;y\"\r\nefg\r\n0;last\r\nX-Sum: 7\r\nX-Other: a\r\n\r\n",
            false, 100, 200, "Transfer-Encoding: chunked\nTrailer: X-Sum", "abcdefg", 7
        },
        {
            "chunked over the limit", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n",
            false, 5, 200, "Transfer-Encoding: chunked", "abcde", 7
        },
        {
            "chunked limit falls on a chunk's end", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n3\r\nefg\r\n0\r\n\r\n",
            false, 4, 200, "Transfer-Encoding: chunked", "abcd", 7
        },
        {
            "chunked empty body", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            false, 100, 200, "Transfer-Encoding: chunked", "", 0
        },
        {
            "body exactly at the limit", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            false, 5, 200, "Content-Length: 5", "hello", 5
        },
        {
            "body one over the limit", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            false, 4, 200, "Content-Length: 5", "hell", 5
        },
        {
            "limit zero: counted, nothing kept", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
            false, 0, 200, "Content-Length: 5", "", 5
        },
        {
            "HEAD: the length the GET would have, no body", "HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
            true, 100, 200, "Content-Length: 1234", "", 0
        },
        {
            "204 with a length it must not have", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\nX-Y: z\r\n\r\n",
            false, 100, 204, "Content-Length: 10\nX-Y: z", "", 0
        },
        {
            "304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\nETag: \"a\"\r\n\r\n",
            false, 100, 304, "Content-Length: 1234\nETag: \"a\"", "", 0
        },
        {
            "100-continue and 103 before the final answer", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 202 Accepted\r\nX-Final: yes\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
            false, 100, 202, "X-Final: yes\nTransfer-Encoding: chunked", "a", 1
        },
        {
            "103 before a HEAD answer", "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n",
            true, 100, 200, "Content-Length: 50", "", 0
        },
        {
            "connection close", "HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 4\r\n\r\nfail",
            false, 100, 500, "Connection: close\nContent-Length: 4", "fail", 4
        },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Parse_WholeAnswer_CapturesFinalAnswer(string name, string answer, bool head, int limit, int status, string headers, string body, long length)
    {
        var bytes = Encoding.Latin1.GetBytes(answer);

        var capture = Feed(bytes, head, limit, [bytes.Length]);

        AssertCaptured(name, capture, status, headers, body, length);
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public void Parse_AnswerSplitAtEveryByte_SameCaptureAsWhole(string name, string answer, bool head, int limit, int status, string headers, string body, long length)
    {
        var bytes = Encoding.Latin1.GetBytes(answer);

        for (var split = 1; split < bytes.Length; split++)
        {
            var capture = Feed(bytes, head, limit, [split, bytes.Length]);
            AssertCaptured($"{name}, split after byte {split}", capture, status, headers, body, length);
        }
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public void Parse_AnswerOneByteAtATime_SameCaptureAsWhole(string name, string answer, bool head, int limit, int status, string headers, string body, long length)
    {
        var bytes = Encoding.Latin1.GetBytes(answer);

        var capture = Feed(bytes, head, limit, [.. Enumerable.Range(1, bytes.Length)]);

        AssertCaptured(name, capture, status, headers, body, length);
    }

    [Fact]
    public void Parse_BodyUntilClose_EveryByteUpToTheCloseCapturedAtEverySplit()
    {
        var bytes = "HTTP/1.1 200 OK\r\nServer: x\r\n\r\nthe body runs until close"u8.ToArray();
        for (var split = 1; split < bytes.Length; split++)
        {
            var parser = new Http1ResponseParser();
            var capture = new ResponseCapture(maxBodyBytes: 10);
            parser.Reset(headRequest: false, capture);

            var start = 0;
            foreach (var end in new[] { split, bytes.Length })
            {
                Assert.Equal(ResponseParse.NeedMoreData, parser.Parse(bytes.AsSpan(start, end - start), out var consumed));
                start += consumed;
            }

            Assert.True(parser.CompleteAtEndOfStream());
            AssertCaptured($"split after byte {split}", capture, 200, "Server: x", "the body r", 25);
        }
    }

    [Fact]
    public void Parse_PipelinedAnswersOnlySomeCaptured_EachCaptureHoldsItsOwnAnswerOnly()
    {
        // Four answers in one read, as the read loop sees them: captured, not, not, captured.
        var answers = new[]
        {
            "HTTP/1.1 200 OK\r\nX-N: 1\r\nContent-Length: 3\r\n\r\none",
            "HTTP/1.1 201 OK\r\nX-N: 2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n",
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 OK\r\nX-N: 3\r\nContent-Length: 5\r\n\r\nthree",
            "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\nHTTP/1.1 203 OK\r\nX-N: 4\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nfour\r\n0\r\nX-T: t\r\n\r\n",
        };
        var bytes = Encoding.Latin1.GetBytes(string.Concat(answers));
        var captures = new ResponseCapture?[] { new(100), null, null, new(100) };

        for (var split = 0; split <= bytes.Length; split++)
        {
            var fresh = captures.Select(c => c is null ? null : new ResponseCapture(100)).ToArray();
            var parser = new Http1ResponseParser();
            var answer = 0;
            parser.Reset(headRequest: false, fresh[0]);
            var start = 0;
            foreach (var end in split == 0 ? new[] { bytes.Length } : [split, bytes.Length])
            {
                while (start < end)
                {
                    var result = parser.Parse(bytes.AsSpan(start, end - start), out var consumed);
                    start += consumed;
                    if (result == ResponseParse.NeedMoreData)
                    {
                        break;
                    }

                    Assert.Equal(ResponseParse.Complete, result);
                    if (++answer < answers.Length)
                    {
                        parser.Reset(headRequest: false, fresh[answer]);
                    }
                }
            }

            Assert.Equal(answers.Length, answer);
            AssertCaptured($"first, split {split}", fresh[0]!, 200, "X-N: 1\nContent-Length: 3", "one", 3);
            AssertCaptured($"fourth, split {split}", fresh[3]!, 203, "X-N: 4\nTransfer-Encoding: chunked", "four", 4);
        }
    }

    [Fact]
    public void Parse_WithoutCapture_AllocatesNothing()
    {
        var bytes = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nabcd\r\n0\r\nX-T: 1\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"u8.ToArray();
        var parser = new Http1ResponseParser();
        ParseTwice(parser, bytes);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            ParseTwice(parser, bytes);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        static void ParseTwice(Http1ResponseParser parser, byte[] bytes)
        {
            var start = 0;
            for (var n = 0; n < 2; n++)
            {
                parser.Reset(headRequest: false);
                if (parser.Parse(bytes.AsSpan(start), out var consumed) != ResponseParse.Complete)
                {
                    throw new InvalidOperationException("not complete");
                }

                start += consumed;
            }
        }
    }

    [Fact]
    public void ParseHeaders_ManyDistinctAndRepeatedNames_GroupedInFirstAppearanceOrder()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < 500; i++)
        {
            lines.Append(CultureInfoInvariant($"X-H{i % 50}: v{i}\r\n"));
        }

        var headers = ResponseCapture.ParseHeaders(Encoding.Latin1.GetBytes(lines.ToString()));

        Assert.Equal(50, headers.Length);
        for (var n = 0; n < 50; n++)
        {
            Assert.Equal(CultureInfoInvariant($"X-H{n}"), headers[n].Key);
            Assert.Equal(Enumerable.Range(0, 10).Select(k => CultureInfoInvariant($"v{n + (50 * k)}")), headers[n].Value);
        }
    }

    internal static string Describe(KeyValuePair<string, string[]>[] headers)
        => string.Join("\n", headers.Select(h => $"{h.Key}: {string.Join(" | ", h.Value)}"));

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static void AssertCaptured(string name, ResponseCapture capture, int status, string headers, string body, long length)
    {
        var answer = capture.ToResponse();
        Assert.True(answer.Status == status, $"{name}: status {answer.Status}");
        Assert.True(Describe(answer.Headers) == headers, $"{name}: headers\n{Describe(answer.Headers)}");
        Assert.True(Encoding.Latin1.GetString(answer.Body.Span) == body, $"{name}: body '{Encoding.Latin1.GetString(answer.Body.Span)}'");
        Assert.True(answer.BodyLength == length, $"{name}: length {answer.BodyLength}");
        Assert.Equal(length > body.Length, answer.Truncated);
    }

    /// <summary>Feeds <paramref name="bytes"/> as the read loop does; the answer must complete.</summary>
    private static ResponseCapture Feed(byte[] bytes, bool head, int limit, int[] arrivals)
    {
        var parser = new Http1ResponseParser();
        var capture = new ResponseCapture(limit);
        parser.Reset(head, capture);
        var start = 0;
        var result = ResponseParse.NeedMoreData;
        foreach (var end in arrivals)
        {
            result = parser.Parse(bytes.AsSpan(start, end - start), out var consumed);
            start += consumed;
            if (result != ResponseParse.NeedMoreData)
            {
                break;
            }
        }

        Assert.Equal(ResponseParse.Complete, result);
        Assert.Equal(bytes.Length, start);
        Assert.Same(capture, parser.Capture);
        return capture;
    }
}

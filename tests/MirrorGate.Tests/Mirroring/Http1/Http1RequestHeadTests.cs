using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Http1;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Snapshot;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>The exact request line and headers a mirror copy goes out with, and the bound the writer sizes its buffer by.</summary>
public sealed class Http1RequestHeadTests : IDisposable
{
    private readonly MirrorMetrics _metrics = new();
    private readonly MirrorMemoryBudget _budget = new(() => 1L << 30);

    [Fact]
    public void Write_Get_RequestLineHostAndHeadersOnly()
    {
        var request = Request(HttpMethod.Get, "/hello?a=1&b=%20", headers: [new("Accept", ["*/*"]), new("X-Trace", ["t-1"])]);

        Assert.Equal(
            "GET /hello?a=1&b=%20 HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\nX-Trace: t-1\r\n\r\n",
            Head(request));
    }

    [Fact]
    public void Write_GetWithoutHeaders_RequestLineAndHost()
        => Assert.Equal("GET / HTTP/1.1\r\nHost: example.test:8080\r\n\r\n", Head(Request(HttpMethod.Get, "/", host: "example.test:8080")));

    [Fact]
    public void Write_PostWithBody_ContentLengthOfBodyAndNoBodyBytesInHead()
    {
        var body = new MirrorBodyBuffer(_budget);
        Assert.True(body.TryAppend("{\"a\":1}"u8));
        var request = Request(HttpMethod.Post, "/upload", headers: [new("Content-Type", ["application/json"])], body: body);

        Assert.Equal(
            "POST /upload HTTP/1.1\r\nHost: example.test\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n",
            Head(request));
        body.Release();
    }

    [Fact]
    public void Write_PostWithLargeBody_ContentLengthHasEveryDigit()
    {
        var body = new MirrorBodyBuffer(_budget);
        Assert.True(body.TryAppend(new byte[1_234_567]));

        Assert.Equal("PUT /big HTTP/1.1\r\nHost: example.test\r\nContent-Length: 1234567\r\n\r\n", Head(Request(HttpMethod.Put, "/big", body: body)));
        body.Release();
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    public void Write_BodylessPostPutPatch_ContentLengthZero(string method)
        => Assert.Equal($"{method} /x HTTP/1.1\r\nHost: example.test\r\nContent-Length: 0\r\n\r\n", Head(Request(new HttpMethod(method), "/x")));

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    [InlineData("PURGE")]
    public void Write_BodylessOtherMethods_NoContentLength(string method)
        => Assert.Equal($"{method} /x HTTP/1.1\r\nHost: example.test\r\n\r\n", Head(Request(new HttpMethod(method), "/x")));

    [Fact]
    public void Write_RepeatedHeader_OneLineJoinedWithCommaSpace()
    {
        var request = Request(HttpMethod.Get, "/", headers: [new("Accept", ["text/html", "application/json"]), new("X-Forwarded-For", ["10.0.0.1", "10.0.0.2", "10.0.0.3"])]);

        Assert.Equal(
            "GET / HTTP/1.1\r\nHost: example.test\r\nAccept: text/html, application/json\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2, 10.0.0.3\r\n\r\n",
            Head(request));
    }

    [Theory]
    [InlineData("Cookie")]
    [InlineData("cookie")]
    public void Write_RepeatedCookie_OneLineJoinedWithSemicolonSpace(string name)
    {
        var request = Request(HttpMethod.Get, "/", headers: [new(name, ["a=1", "b=2", "c=3"])]);

        Assert.Equal($"GET / HTTP/1.1\r\nHost: example.test\r\n{name}: a=1; b=2; c=3\r\n\r\n", Head(request));
    }

    [Theory]
    [InlineData("X-Evil", "a\r\nInjected: 1")]
    [InlineData("X-Evil", "a\nInjected: 1")]
    [InlineData("X-Evil", "a\rb")]
    [InlineData("X-Evil", "a\0b")]
    [InlineData("X-Evil\r\nInjected", "1")]
    [InlineData("X-Evil\n", "1")]
    [InlineData("X-\0Evil", "1")]
    public void Write_HeaderWithCrLfOrNul_CannotWriteAndThrows(string name, string value)
        => AssertRefused(Request(HttpMethod.Get, "/", headers: [new("Before", ["1"]), new(name, [value]), new("After", ["2"])]));

    [Fact]
    public void Write_OneOfRepeatedValuesUnsafe_CannotWriteAndThrows()
        => AssertRefused(Request(HttpMethod.Get, "/", headers: [new("Accept", ["text/html", "x\r\nInjected: 1"]), new("After", ["2"])]));

    [Theory]
    [InlineData("example.test\r\nInjected: 1")]
    [InlineData("example.test\n")]
    [InlineData("exa\0mple.test")]
    public void Write_HostWithCrLfOrNul_CannotWriteAndThrows(string host)
        => AssertRefused(Request(HttpMethod.Get, "/", host: host));

    [Theory]
    [InlineData("/a\r\nInjected: 1")]
    [InlineData("/a\nb")]
    [InlineData("/a\0b")]
    [InlineData("/a?q=\r")]
    public void Write_TargetWithCrLfOrNul_CannotWriteAndThrows(string target)
        => AssertRefused(Request(HttpMethod.Get, target));

    [Theory]
    [InlineData("GET", "")]
    [InlineData("CONNECT", "")]
    [InlineData("GET", "*")]
    [InlineData("GET", "a/b")]
    [InlineData("GET", "http://example.test/a")]
    public void Write_TargetNotOriginFormNorOptionsAsterisk_CannotWriteAndThrows(string method, string target)
        => AssertRefused(Request(new HttpMethod(method), target));

    [Fact]
    public void Write_OptionsAsterisk_AsteriskFormRequestLine()
        => Assert.Equal("OPTIONS * HTTP/1.1\r\nHost: example.test\r\n\r\n", Head(Request(HttpMethod.Options, "*")));

    [Fact]
    public async Task Write_OptionsAsteriskCopiedByHandler_AsteriskFormRequestLineAndForwardedHeaders()
    {
        // A client's `OPTIONS * HTTP/1.1` as Kestrel hands it over (an empty path), copied by the plugin.
        var http = new DefaultHttpContext();
        http.Request.Method = "OPTIONS";
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("example.test");
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = "*";
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Connection.LocalPort = 9080;
        var context = new ProxyContext(http, new RouteModel { Id = "r", Config = [], Plugins = PluginChain.Empty }) { UpstreamHost = "example.test" };
        var config = ProxyMirrorConfig.FromJson(new JsonObject { ["host"] = "http://127.0.0.1:1", ["path"] = "/a" });
        await using var dispatcher = TestDispatcher.Create(ProxyMirrorSettings.Default, _metrics, _budget);
        var runtime = new MirrorRuntime(dispatcher, _metrics, () => ProxyMirrorSettings.Default, () => 0, new MirrorMarker("node-1"));
        var handler = ProxyMirrorHandler.Create(config, runtime, "r");

        var copy = handler.Targets[0].Copy(context);

        Assert.Equal(
            "OPTIONS * HTTP/1.1\r\nHost: example.test\r\nX-Forwarded-For: 127.0.0.1\r\nX-Real-IP: 127.0.0.1\r\nX-Forwarded-Proto: http\r\n"
            + "X-Forwarded-Host: example.test\r\nX-Forwarded-Port: 9080\r\nX-MirrorGate-Mirror: node-1\r\n\r\n",
            Head(copy));
    }

    [Fact]
    public void Write_PathWithHash_HashPercentEncoded()
        => Assert.Equal("GET /a%23frag?q=1 HTTP/1.1\r\nHost: example.test\r\n\r\n", Head(Request(HttpMethod.Get, "/a#frag?q=1")));

    private void AssertRefused(MirrorRequest request)
    {
        Assert.NotNull(Http1RequestHead.Unwritable(request));
        var buffer = new byte[Http1RequestHead.MaxLength(request)];
        Assert.Throws<ArgumentException>(() => Http1RequestHead.Write(request, buffer));
        Assert.True(buffer.AsSpan().IndexOfAnyExcept((byte)0) < 0, "nothing may be written");
    }

    [Fact]
    public void Write_HeaderWithoutValues_Dropped()
    {
        var request = Request(HttpMethod.Get, "/", headers: [new("Empty", []), new("After", ["2"])]);

        Assert.Equal("GET / HTTP/1.1\r\nHost: example.test\r\nAfter: 2\r\n\r\n", Head(request));
    }

    [Fact]
    public void Write_HeaderValueLatin1_SentAsLatin1Bytes()
    {
        var request = Request(HttpMethod.Get, "/", headers: [new("X-Name", ["caf\u00e9"])]);

        var bytes = HeadBytes(request);

        Assert.Equal(Encoding.Latin1.GetBytes("GET / HTTP/1.1\r\nHost: example.test\r\nX-Name: caf\u00e9\r\n\r\n"), bytes);
    }

    [Theory]
    [InlineData("/a b", "/a%20b")]
    [InlineData("/a\tb", "/a%09b")]
    [InlineData("/a\u0001b\u001f", "/a%01b%1F")]
    [InlineData("/del\u007f", "/del%7F")]
    [InlineData("/caf\u00e9", "/caf%C3%A9")]
    [InlineData("/\u20ac", "/%E2%82%AC")]
    [InlineData("/\U0001F600", "/%F0%9F%98%80")]
    [InlineData("/a%20b/%2F?x=%41&y=%zz", "/a%20b/%2F?x=%41&y=%zz")]
    [InlineData("/p;q,r:s@t!$&'()*+=~-._", "/p;q,r:s@t!$&'()*+=~-._")]
    [InlineData("/q?a=b c&d=\u00fc", "/q?a=b%20c&d=%C3%BC")]
    [InlineData("/a/../b/./c", "/a/../b/./c")]
    public void Write_Path_ControlsSpacesAndNonAsciiPercentEncodedAsUtf8EscapesKept(string path, string expected)
        => Assert.Equal($"GET {expected} HTTP/1.1\r\nHost: example.test\r\n\r\n", Head(Request(HttpMethod.Get, path)));

    [Fact]
    public void Write_PathWithLoneSurrogate_ReplacementCharacterEncoded()
    {
        // (Not InlineData: the test runner's serialisation would mangle the lone surrogate itself.)
        var path = "/lone" + '\ud800' + "x" + '\udc00';

        Assert.Equal("GET /lone%EF%BF%BDx%EF%BF%BD HTTP/1.1\r\nHost: example.test\r\n\r\n", Head(Request(HttpMethod.Get, path)));
    }

    [Fact]
    public void Write_EveryCase_LengthAtMostMaxLengthAndNothingWrittenBeyond()
    {
        var body = new MirrorBodyBuffer(_budget);
        Assert.True(body.TryAppend(new byte[99_999]));
        var worstPath = "/" + string.Concat(Enumerable.Repeat("\u20ac\U0001F600 \ud800\u0001", 50));
        var requests = new[]
        {
            Request(HttpMethod.Get, "/"),
            Request(HttpMethod.Get, "/", host: ""),
            Request(HttpMethod.Post, "/x"),
            Request(HttpMethod.Patch, worstPath, body: body),
            Request(new HttpMethod("VERY-LONG-EXTENSION-METHOD"), worstPath + "?" + worstPath, host: new string('h', 300)),
            Request(HttpMethod.Get, "/", headers:
            [
                new("Cookie", [.. Enumerable.Range(0, 40).Select(i => $"c{i}=v")]),
                new("Accept", [.. Enumerable.Range(0, 40).Select(i => $"t/{i}")]),
                new("X-One", [""]),
                new("X-Empty-Values", ["", "", ""]),
                new("X-Wide", ["\u20ac\U0001F600 beyond Latin-1"]),
            ]),
        };

        foreach (var request in requests)
        {
            var max = Http1RequestHead.MaxLength(request);
            var buffer = new byte[max + 64];
            buffer.AsSpan().Fill(0xAA);

            var written = Http1RequestHead.Write(request, buffer.AsSpan(0, max));

            Assert.InRange(written, 1, max);
            Assert.True(buffer.AsSpan(max).IndexOfAnyExcept((byte)0xAA) < 0, $"{request.Method} wrote past MaxLength");
            Assert.True(buffer.AsSpan(0, written).EndsWith("\r\n\r\n"u8));
        }

        body.Release();
    }

    [Fact]
    public void MaxLength_ManyRandomRequests_NeverBelowWrittenLength()
    {
        var random = new Random(20261127);
        char[] alphabet = ['a', 'Z', '/', '%', ' ', '\t', '\u0001', '\u007f', '\u00e9', '\u20ac', '\ud83d', '\ude00', '\ud800', '?', '&', ';', ','];
        string Text(int max) => new([.. Enumerable.Range(0, random.Next(max)).Select(_ => alphabet[random.Next(alphabet.Length)])]);

        for (var i = 0; i < 2000; i++)
        {
            var headers = Enumerable.Range(0, random.Next(6))
                .Select(h => new KeyValuePair<string, string[]>(random.Next(4) == 0 ? "Cookie" : $"X-H{h}", [.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => Text(20))]))
                .ToArray();
            MirrorBodyBuffer? body = null;
            if (random.Next(3) == 0)
            {
                body = new MirrorBodyBuffer(_budget);
                Assert.True(body.TryAppend(new byte[random.Next(1, 70_000)]));
            }

            var request = Request(random.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Post, "/" + Text(60), host: Text(30), headers: headers, body: body);
            var max = Http1RequestHead.MaxLength(request);

            var written = Http1RequestHead.Write(request, new byte[max]);

            Assert.InRange(written, 1, max);
            body?.Release();
        }
    }

    public void Dispose()
    {
        _metrics.Dispose();
        Assert.Equal(0, _budget.Used);
    }

    private MirrorRequest Request(HttpMethod method, string pathAndQuery, string host = "example.test", KeyValuePair<string, string[]>[]? headers = null, MirrorBodyBuffer? body = null) => new()
    {
        Method = method,
        Origin = MirrorOrigin.Parse("http://127.0.0.1:1"),
        PathAndQuery = pathAndQuery,
        Version = new Version(1, 1),
        Host = host,
        Headers = headers ?? [],
        Body = body,
        Metrics = new MirrorTargetMetrics(_metrics, "head", "http://127.0.0.1:1"),
    };

    private static byte[] HeadBytes(MirrorRequest request)
    {
        var buffer = new byte[Http1RequestHead.MaxLength(request)];
        var written = Http1RequestHead.Write(request, buffer);
        return buffer[..written];
    }

    private static string Head(MirrorRequest request) => Encoding.Latin1.GetString(HeadBytes(request));
}

using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Plugins.GrpcWeb;

namespace MirrorGate.Tests.Plugins.GrpcWeb;

public sealed class GrpcWebResponseBodyTests
{
    private static readonly byte[] Message = [0, 0, 0, 0, 7, 0x0a, 5, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'];

    private static (GrpcWebResponseBody Body, MemoryStream Sent, HttpResponse Response) Create(GrpcWebEncoding encoding, GrpcWebExchange? exchange = null)
    {
        var http = new DefaultHttpContext();
        var sent = new MemoryStream();
        exchange ??= new GrpcWebExchange();
        exchange.Encoding = encoding;
        var body = new GrpcWebResponseBody(new StreamResponseBodyFeature(sent), http.Response, exchange, previous: null);
        return (body, sent, http.Response);
    }

    /// <summary>Decodes a text-mode answer segment by segment (each write is its own padded base64, as gRPC-Web clients read it).</summary>
    private static byte[] DecodeSegments(string text)
    {
        var result = new List<byte>();
        var start = 0;
        for (var i = 0; i < text.Length; i += 4)
        {
            if (text[i + 3] == '=')
            {
                result.AddRange(Convert.FromBase64String(text[start..(i + 4)]));
                start = i + 4;
            }
        }

        result.AddRange(Convert.FromBase64String(text[start..]));
        return result.ToArray();
    }

    private static byte[] Trailer(string status, string message) => GrpcWebTrailerFrame.Build(status, message);

    [Fact]
    public async Task Binary_BodyThenTrailerFrame()
    {
        var exchange = new GrpcWebExchange();
        exchange.Trailers["grpc-status"] = "0";
        var (body, sent, _) = Create(GrpcWebEncoding.Binary, exchange);

        await body.Stream.WriteAsync(Message.AsMemory(0, 3));
        await body.Stream.WriteAsync(Message.AsMemory(3));
        await body.CompleteAsync();

        Assert.Equal([.. Message, .. Trailer("0", "")], sent.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(12)]
    public async Task Text_EachWriteItsOwnBase64_TrailerFrameEncodedSeparately(int piece)
    {
        var exchange = new GrpcWebExchange();
        exchange.Trailers["grpc-status"] = "0";
        var (body, sent, _) = Create(GrpcWebEncoding.Base64, exchange);

        for (var i = 0; i < Message.Length; i += piece)
        {
            await body.Stream.WriteAsync(Message.AsMemory(i, Math.Min(piece, Message.Length - i)));
        }

        await body.FinishAsync();
        await body.FinishAsync(); // once only

        var text = Encoding.ASCII.GetString(sent.ToArray());
        Assert.EndsWith(Convert.ToBase64String(Trailer("0", "")), text);
        Assert.Equal([.. Message, .. Trailer("0", "")], DecodeSegments(text));
    }

    [Fact]
    public async Task NoUpstreamStatus_Status2Frame()
    {
        var (body, sent, _) = Create(GrpcWebEncoding.Binary);

        await body.Stream.WriteAsync(Message);
        await body.FinishAsync();

        Assert.Equal([.. Message, .. Trailer("2", GrpcWebTrailerFrame.NoStatusMessage)], sent.ToArray());
    }

    [Fact]
    public async Task TrailersOnlyAnswer_NoFrame()
    {
        var (body, sent, response) = Create(GrpcWebEncoding.Base64);
        response.Headers["grpc-status"] = "13";
        response.Headers["grpc-message"] = "expected error";

        await body.FinishAsync();

        Assert.Equal(0, sent.Length);
    }

    [Fact]
    public async Task RequestBodyFailed_NoFrame()
    {
        var (body, sent, _) = Create(GrpcWebEncoding.Binary, new GrpcWebExchange { RequestBodyFailed = true });

        await body.FinishAsync();

        Assert.Equal(0, sent.Length);
    }

    [Fact]
    public async Task PipeWriter_ConvertedToo()
    {
        var (body, sent, _) = Create(GrpcWebEncoding.Base64);

        await body.Writer.WriteAsync(Message);
        await body.Writer.FlushAsync();

        Assert.Equal(Convert.ToBase64String(Message), Encoding.ASCII.GetString(sent.ToArray()));
    }
}

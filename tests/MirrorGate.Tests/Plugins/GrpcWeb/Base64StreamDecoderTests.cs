using System.Text;
using MirrorGate.Plugins.GrpcWeb;

namespace MirrorGate.Tests.Plugins.GrpcWeb;

public sealed class Base64StreamDecoderTests
{
    /// <summary>Feeds <paramref name="text"/> in pieces of <paramref name="piece"/> characters; null when it is not base64.</summary>
    private static byte[]? DecodeInPieces(string text, int piece)
    {
        var decoder = new Base64StreamDecoder();
        var input = Encoding.ASCII.GetBytes(text);
        var output = new List<byte>();
        for (var i = 0; i < input.Length; i += piece)
        {
            var chunk = input.AsSpan(i, Math.Min(piece, input.Length - i));
            var buffer = new byte[Base64StreamDecoder.MaxDecodedLength(chunk.Length)];
            var written = decoder.Decode(chunk, buffer);
            if (written < 0)
            {
                return null;
            }

            output.AddRange(buffer.AsSpan(0, written).ToArray());
        }

        var tail = new byte[2];
        var last = decoder.Finish(tail);
        if (last < 0)
        {
            return null;
        }

        output.AddRange(tail.AsSpan(0, last).ToArray());
        return output.ToArray();
    }

    [Fact]
    public void Decode_EveryLengthEverySplit_SameAsConvert()
    {
        var random = new Random(7);
        for (var length = 0; length <= 40; length++)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            var text = Convert.ToBase64String(bytes);
            for (var piece = 1; piece <= text.Length + 1; piece++)
            {
                Assert.Equal(bytes, DecodeInPieces(text, piece));
            }
        }
    }

    [Fact]
    public void Decode_ApisixTestBody_GrpcFrame()
        // grpc-web.t TEST 10's body: a 5-byte frame header and the 7-byte message {name: "world"}, then "\n\n".
        => Assert.Equal(new byte[] { 0, 0, 0, 0, 7, 0x0a, 5, (byte)'w', (byte)'o', (byte)'r', (byte)'l', (byte)'d', 10, 10 }, DecodeInPieces("AAAAAAcKBXdvcmxkCgo=", 3));

    [Theory]
    [InlineData("aGk", "hi")]
    [InlineData("aGVsbG8", "hello")]
    [InlineData("aGk=", "hi")]
    [InlineData("aQ==", "i")]
    [InlineData("aQ=", "i")]
    public void Decode_UnpaddedOrShortPaddedEnd_LikeNginx(string text, string expected)
    {
        for (var piece = 1; piece <= text.Length; piece++)
        {
            Assert.Equal(expected, Encoding.ASCII.GetString(DecodeInPieces(text, piece)!));
        }
    }

    [Fact]
    public void Decode_PaddedSegments_DecodedWhole()
    {
        for (var piece = 1; piece <= 12; piece++)
        {
            Assert.Equal("hiiheyx", Encoding.ASCII.GetString(DecodeInPieces("aGk=aQ==aGV5eA==", piece)!));
        }
    }

    [Theory]
    [InlineData("a")]          // one character left over
    [InlineData("aGVsb")]      // five: the last quantum has one
    [InlineData("a===")]       // padding after one character
    [InlineData("====")]
    [InlineData("aG=k")]       // a character inside the padding
    [InlineData("aGk =")]      // white space
    [InlineData("aGk\n")]
    [InlineData("aG-_")]       // the URL-safe alphabet is not base64 here
    [InlineData("aGk*")]
    public void Decode_NotBase64_Refused(string text)
    {
        for (var piece = 1; piece <= text.Length; piece++)
        {
            Assert.Null(DecodeInPieces(text, piece));
        }
    }
}

using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Plugins.GrpcWeb;

namespace MirrorGate.Tests.Plugins.GrpcWeb;

public sealed class GrpcWebRequestStreamTests
{
    private static readonly GrpcWebLog Log = new("1", NullLogger.Instance, TimeProvider.System);

    /// <summary>A client body that arrives in pieces of a given size, each read preceded by a zero-byte read answered 0.</summary>
    private sealed class PiecewiseStream(byte[] data, int piece) : Stream
    {
        private int _position;

        public int ZeroByteReads { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                ZeroByteReads++;
                return ValueTask.FromResult(0);
            }

            var count = Math.Min(Math.Min(piece, buffer.Length), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return ValueTask.FromResult(count);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Reads the way the forwarder does: a zero-byte read before each read of <paramref name="readSize"/>.</summary>
    private static async Task<byte[]> ReadAllAsync(Stream stream, int readSize)
    {
        var result = new MemoryStream();
        var buffer = new byte[readSize];
        for (var guard = 0; guard < 1_000_000; guard++)
        {
            Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return result.ToArray();
            }

            result.Write(buffer, 0, read);
        }

        throw new InvalidOperationException("the stream never ended");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 7)]
    [InlineData(2, 3)]
    [InlineData(3, 1)]
    [InlineData(5, 2)]
    [InlineData(7, 4096)]
    [InlineData(4096, 5)]
    [InlineData(10000, 10000)]
    public async Task Text_QuantaSplitAcrossReads_DecodedExactly(int piece, int readSize)
    {
        var message = new byte[9000];
        new Random(piece).NextBytes(message);
        var exchange = new GrpcWebExchange();
        var client = new PiecewiseStream(Encoding.ASCII.GetBytes(Convert.ToBase64String(message)), piece);
        var stream = new GrpcWebRequestStream(client, decode: true, maxSize: 1 << 20, exchange, Log);

        Assert.Equal(message, await ReadAllAsync(stream, readSize));
        Assert.False(exchange.RequestBodyFailed);
        Assert.True(client.ZeroByteReads > 0, "zero-byte reads are passed on to the client body");
    }

    [Fact]
    public async Task Binary_PassedThroughAndCounted()
    {
        var message = Encoding.ASCII.GetBytes("\0\0\0\0\u0007\n\u0005world");
        var stream = new GrpcWebRequestStream(new PiecewiseStream(message, 3), decode: false, maxSize: 12, new GrpcWebExchange(), Log);

        Assert.Equal(message, await ReadAllAsync(stream, 5));
    }

    [Theory]
    [InlineData(false, "0123456789abc", 12, "request size 13 is greater than the maximum size 12 allowed")]
    [InlineData(true, "AAAAAAcKBXdvcmxkCgo=", 19, "request size 20 is greater than the maximum size 19 allowed")]
    [InlineData(true, "AAAAAAcK*XdvcmxkCgo=", 100, "failed to decode request body")]
    [InlineData(true, "AAAAAAcKB", 100, "failed to decode request body")]
    [InlineData(false, "", 100, "failed to read request body, err: the body is empty")]
    [InlineData(true, "", 100, "failed to read request body, err: the body is empty")]
    public async Task BadBody_ReadFails400AndExchangeMarked(bool decode, string body, long max, string reason)
    {
        var exchange = new GrpcWebExchange();
        var stream = new GrpcWebRequestStream(new PiecewiseStream(Encoding.ASCII.GetBytes(body), 4), decode, max, exchange, Log);

        var error = await Assert.ThrowsAsync<BadHttpRequestException>(() => ReadAllAsync(stream, 3));

        Assert.Equal(400, error.StatusCode);
        Assert.EndsWith(reason, error.Message);
        Assert.True(exchange.RequestBodyFailed);
    }
}

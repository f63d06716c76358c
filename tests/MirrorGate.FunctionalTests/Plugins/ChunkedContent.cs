using System.Net;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>A request body of unknown length: sent chunked, in uneven pieces, flushed one by one.</summary>
internal sealed class ChunkedContent(byte[] data) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var offset = 0;
        var size = 1000;
        while (offset < data.Length)
        {
            var n = Math.Min(size, data.Length - offset);
            await stream.WriteAsync(data.AsMemory(offset, n));
            await stream.FlushAsync();
            offset += n;
            size = size * 3 % 70_001 + 1; // uneven sizes, so chunk edges fall anywhere
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}

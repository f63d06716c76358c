using System.Buffers;

namespace MirrorGate.Mirroring;

/// <summary>
/// The mirror's copy of a request body: chunks rented from the shared array pool, appended as the
/// primary body streams by. Owned by exactly one party at a time (tee, then the queued mirror
/// request); <see cref="Release"/> returns the chunks and the memory budget reservation.
/// </summary>
internal sealed class MirrorBodyBuffer
{
    private const int FirstChunkSize = 4 * 1024;
    private const int LargestChunkSize = 64 * 1024;

    private readonly MirrorMemoryBudget _budget;
    private readonly List<byte[]> _chunks = new(4);
    private int _lastChunkUsed;
    private long _reserved;

    public MirrorBodyBuffer(MirrorMemoryBudget budget) => _budget = budget;

    public long Length { get; private set; }

    /// <summary>Appends a copy of <paramref name="data"/>; false when the node-wide budget is exhausted.</summary>
    public bool TryAppend(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_chunks.Count == 0 || _lastChunkUsed == _chunks[^1].Length)
            {
                var size = _chunks.Count == 0 ? FirstChunkSize : Math.Min(_chunks[^1].Length * 2, LargestChunkSize);
                if (!_budget.TryReserve(size))
                {
                    return false;
                }

                _reserved += size;
                _chunks.Add(ArrayPool<byte>.Shared.Rent(size));
                _lastChunkUsed = 0;
            }

            var chunk = _chunks[^1];
            var n = Math.Min(chunk.Length - _lastChunkUsed, data.Length);
            data[..n].CopyTo(chunk.AsSpan(_lastChunkUsed));
            _lastChunkUsed += n;
            Length += n;
            data = data[n..];
        }

        return true;
    }

    /// <summary>Writes the buffered bytes, in order, to <paramref name="destination"/>.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        for (var i = 0; i < _chunks.Count; i++)
        {
            await destination.WriteAsync(Segment(i), cancellationToken).ConfigureAwait(false);
        }
    }

    public int SegmentCount => _chunks.Count;

    /// <summary>The <paramref name="index"/>th run of buffered bytes, in order.</summary>
    public ReadOnlyMemory<byte> Segment(int index)
        => _chunks[index].AsMemory(0, index == _chunks.Count - 1 ? _lastChunkUsed : _chunks[index].Length);

    /// <summary>Copies the buffered bytes, in order, to <paramref name="destination"/> (at least <see cref="Length"/> long).</summary>
    public void CopyTo(Span<byte> destination)
    {
        for (var i = 0; i < _chunks.Count; i++)
        {
            var segment = Segment(i).Span;
            segment.CopyTo(destination);
            destination = destination[segment.Length..];
        }
    }

    public byte[] ToArray()
    {
        var result = new byte[Length];
        CopyTo(result);
        return result;
    }

    public void Release()
    {
        foreach (var chunk in _chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        _chunks.Clear();
        _lastChunkUsed = 0;
        Length = 0;
        _budget.Release(_reserved);
        _reserved = 0;
    }
}

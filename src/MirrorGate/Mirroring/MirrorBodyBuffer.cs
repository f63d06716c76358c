using System.Buffers;

namespace MirrorGate.Mirroring;

/// <summary>
/// The mirror's copy of a request body: chunks rented from the shared array pool, appended as the
/// primary body streams by. It is a lease: whoever may still read the bytes holds it (the tee,
/// then the copy's outcome, and each writer sending it), and the chunks and the memory budget
/// reservation go back only when the last holder lets go. So an answer that settles a copy while
/// its body is still being written cannot free bytes under the writer, and no pooled chunk is
/// ever read by a copy it no longer belongs to.
/// </summary>
internal sealed class MirrorBodyBuffer
{
    private const int FirstChunkSize = 4 * 1024;
    private const int LargestChunkSize = 64 * 1024;

    private readonly MirrorMemoryBudget _budget;
    private readonly List<byte[]> _chunks = new(4);
    private int _lastChunkUsed;
    private long _reserved;
    private int _holders = 1; // the creator's hold (the tee, then the copy's outcome)

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

    /// <summary>Whether nobody holds the body any more (its chunks went back to the pool).</summary>
    public bool IsReleased => Volatile.Read(ref _holders) <= 0;

    /// <summary>
    /// Takes one more hold: a writer about to send the bytes. Only someone who holds the body
    /// already (or acts for a holder that cannot let go meanwhile) may call it.
    /// </summary>
    public void Hold()
    {
        if (Interlocked.Increment(ref _holders) <= 1)
        {
            throw new InvalidOperationException("A mirror body was held after its last holder let go.");
        }
    }

    /// <summary>Lets go of one hold; the last one returns the chunks and the budget reservation.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _holders);
        if (left > 0)
        {
            return;
        }

        if (left < 0)
        {
            // A hold let go twice: a bug, but returning the chunks again would hand one array to two users.
            throw new InvalidOperationException("A mirror body was released more often than it was held.");
        }

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

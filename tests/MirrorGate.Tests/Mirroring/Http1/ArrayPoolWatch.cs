using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>
/// Watches <c>ArrayPool&lt;byte&gt;.Shared</c> through its event source (every rent and return,
/// with the array's identity) and reports arrays returned more often than they were rented
/// since the watch began: a pooled array returned twice can later be handed to two users at once.
/// Arrays first seen being returned were rented before the watch and may be returned once more.
/// Only meaningful while nothing else in the process uses the pool heavily (run it in
/// <see cref="ArrayPoolCollection"/>).
/// </summary>
internal sealed class ArrayPoolWatch : EventListener
{
    private const int BufferRented = 1;
    private const int BufferReturned = 3;

    private readonly ConcurrentDictionary<int, Balance> _arrays = new();
    private readonly SemaphoreSlim _doubleReturn = new(0);
    private readonly int _poolId = ArrayPool<byte>.Shared.GetHashCode();
    private volatile bool _started;

    public ArrayPoolWatch()
    {
        _started = true;
    }

    /// <summary>Arrays (size each) returned at least once more than they were rented while watched.</summary>
    public IReadOnlyList<int> ReturnedTwice => [.. _arrays.Values.Where(b => b.Excess > 0).Select(b => b.Size)];

    /// <summary>Completes as soon as an array is returned twice, or after <paramref name="window"/>; true if one was.</summary>
    public async Task<bool> AnyReturnedTwiceWithinAsync(TimeSpan window)
        => ReturnedTwice.Count > 0 || await _doubleReturn.WaitAsync(window) || ReturnedTwice.Count > 0;

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Buffers.ArrayPoolEventSource")
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_started || e.EventId is not (BufferRented or BufferReturned) || e.Payload is not { Count: >= 3 } payload)
        {
            return;
        }

        // BufferRented(bufferId, bufferSize, poolId, bucketId), BufferReturned(bufferId, bufferSize, poolId).
        if ((int)payload[2]! != _poolId)
        {
            return;
        }

        var id = (int)payload[0]!;
        var size = (int)payload[1]!;
        var balance = _arrays.GetOrAdd(id, _ => new Balance(size, firstSeenReturned: e.EventId == BufferReturned));
        if (balance.Count(e.EventId == BufferReturned))
        {
            _doubleReturn.Release();
        }
    }

    private sealed class Balance(int size, bool firstSeenReturned)
    {
        private int _rents;
        private int _returns;

        public int Size { get; } = size;

        /// <summary>Returns beyond rents (plus one return allowed for an array rented before the watch).</summary>
        public int Excess => Volatile.Read(ref _returns) - Volatile.Read(ref _rents) - (firstSeenReturned ? 1 : 0);

        /// <summary>Counts one event; true when it made the array returned twice.</summary>
        public bool Count(bool returned)
        {
            if (!returned)
            {
                Interlocked.Increment(ref _rents);
                return false;
            }

            Interlocked.Increment(ref _returns);
            return Excess > 0;
        }
    }
}

/// <summary>Tests that watch the shared array pool run alone, so only their own rents and returns are seen.</summary>
[CollectionDefinition(nameof(ArrayPoolCollection), DisableParallelization = true)]
public sealed class ArrayPoolCollection;

using System.Diagnostics.Metrics;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

public sealed class MirrorTeeStreamTests : IAsyncLifetime
{
    private readonly MirrorMetrics _metrics = new();
    private readonly MirrorMemoryBudget _budget = new(() => 1L << 30);
    private readonly string _routeId = $"tee-{Guid.NewGuid():N}";
    private MirrorDispatcher _dispatcher = null!;
    private RecordingSink _sink = null!;

    public async Task InitializeAsync()
    {
        _sink = await RecordingSink.StartAsync();
        _dispatcher = _sink.CreateDispatcher(_metrics, _budget);
    }

    public async Task DisposeAsync()
    {
        await _dispatcher.DisposeAsync();
        await _sink.DisposeAsync();
        _metrics.Dispose();
    }

    private (MirrorTeeStream Tee, MirrorRequest Request) CreateTee(byte[] body, long maxBodySize, long? declaredLength, CancellationToken aborted = default)
    {
        var request = _sink.CreateRequest(_metrics, _routeId);
        var pending = new PendingMirror(request, _dispatcher, aborted);
        var tee = new MirrorTeeStream(new MemoryStream(body), pending, new MirrorBodyBuffer(_budget), maxBodySize, declaredLength);
        return (tee, request);
    }

    [Fact]
    public async Task ReadAsync_WholeBody_PassesBytesThroughAndQueuesCopy()
    {
        var body = RandomBytes(100_000);
        var (tee, _) = CreateTee(body, maxBodySize: 1 << 20, declaredLength: null);
        var copy = new MemoryStream();
        await tee.CopyToAsync(copy, 3000);

        Assert.Equal(body, copy.ToArray());
        var sent = await _sink.NextAsync();
        Assert.Equal(body, sent);
    }

    [Fact]
    public async Task ReadAsync_ZeroByteRead_IsNotEndOfBody()
    {
        var body = RandomBytes(10);
        var (tee, request) = CreateTee(body, maxBodySize: 1 << 20, declaredLength: null);

        Assert.Equal(0, await tee.ReadAsync(Memory<byte>.Empty));
        var buffer = new byte[4];
        Assert.Equal(4, await tee.ReadAsync(buffer));
        Assert.Null(request.Body); // still capturing
        await tee.CopyToAsync(Stream.Null);
        Assert.Equal(body, await _sink.NextAsync());
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthReached_CompletesWithoutFinalRead()
    {
        var body = RandomBytes(64);
        var (tee, _) = CreateTee(body, maxBodySize: 1 << 20, declaredLength: body.Length);
        var buffer = new byte[64];
        var read = 0;
        while (read < 64)
        {
            read += await tee.ReadAsync(buffer.AsMemory(read));
        }

        Assert.Equal(body, await _sink.NextAsync());
    }

    [Fact]
    public async Task ReadAsync_BodyOverCap_PrimaryIntactAndMirrorDropped()
    {
        using var dropped = new DropCounter(_routeId, MirrorReasons.BodyTooLarge);
        var body = RandomBytes(50_000);
        var (tee, request) = CreateTee(body, maxBodySize: 10_000, declaredLength: null);
        var copy = new MemoryStream();
        await tee.CopyToAsync(copy, 4096);
        tee.Dispose();

        Assert.Equal(body, copy.ToArray());
        Assert.Equal(1, dropped.Count);
        Assert.Equal(0, _budget.Used);
        Assert.Equal(0, _sink.Received);
    }

    [Fact]
    public async Task Dispose_BeforeBodyEnded_DropsAsIncomplete()
    {
        using var dropped = new DropCounter(_routeId, MirrorReasons.BodyIncomplete);
        var (tee, _) = CreateTee(RandomBytes(1000), maxBodySize: 1 << 20, declaredLength: 1000);
        // A partial read on purpose: the body is left unfinished.
        _ = await tee.ReadAsync(new byte[100]);
        tee.Dispose();

        Assert.Equal(1, dropped.Count);
        Assert.Equal(0, _budget.Used);
    }

    [Fact]
    public async Task Dispose_ClientAborted_DropsAsClientAborted()
    {
        using var dropped = new DropCounter(_routeId, MirrorReasons.ClientAborted);
        using var aborted = new CancellationTokenSource();
        var (tee, _) = CreateTee(RandomBytes(1000), maxBodySize: 1 << 20, declaredLength: 1000, aborted.Token);
        _ = await tee.ReadAsync(new byte[100]);
        aborted.Cancel();
        tee.Dispose();

        Assert.Equal(1, dropped.Count);
    }

    [Fact]
    public async Task ReadAsync_BudgetExhausted_DropsAsBufferFull()
    {
        using var dropped = new DropCounter(_routeId, MirrorReasons.BufferFull);
        var tinyBudget = new MirrorMemoryBudget(() => 8 * 1024);
        var request = _sink.CreateRequest(_metrics, _routeId);
        var tee = new MirrorTeeStream(new MemoryStream(RandomBytes(100_000)), new PendingMirror(request, _dispatcher, default), new MirrorBodyBuffer(tinyBudget), 1 << 20, null);
        await tee.CopyToAsync(Stream.Null);

        Assert.Equal(1, dropped.Count);
        Assert.Equal(0, tinyBudget.Used);
    }

    private static byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        new Random(n).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Counts drops with one reason through a MeterListener, as an operator's dashboard would.</summary>
    private sealed class DropCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public DropCounter(string routeId, string reason)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MirrorMetrics.MeterName && instrument.Name == "mirrorgate.mirror.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason" && (string?)tag.Value == reason && IsOurs(tags, routeId))
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        private static bool IsOurs(ReadOnlySpan<KeyValuePair<string, object?>> tags, string routeId)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "route" && (string?)tag.Value == routeId)
                {
                    return true;
                }
            }

            return false;
        }

        public void Dispose() => _listener.Dispose();
    }
}

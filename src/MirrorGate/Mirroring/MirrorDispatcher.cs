using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MirrorGate.Mirroring.Http1;

namespace MirrorGate.Mirroring;

/// <summary>
/// Takes finished mirror copies off the request path and hands each to the lane of its origin:
/// pipelined HTTP/1.1 connections for http(s) mirrors, HTTP/2 for gRPC. Taking a copy never
/// blocks and never waits for a mirror; when <c>queue_size</c> copies are already waiting, the
/// copy is dropped and counted. A timer a few times a second enforces the send and read
/// timeouts of every connection, so no copy carries a timer of its own.
/// </summary>
internal sealed partial class MirrorDispatcher : IAsyncDisposable
{
    private static readonly TimeSpan LongestSweep = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ShortestSweep = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<string, Http1MirrorLane> _http1Lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IMirrorLane> _http2Lanes = new(StringComparer.Ordinal);
    private readonly MirrorSender _sender;
    private readonly MirrorLaneContext _context;
    private readonly ILogger _logger;
    private readonly ITimer _sweeper;
    private TimeSpan _sweepPeriod;
    private int _disposed;

    public MirrorDispatcher(
        MirrorSender sender,
        Func<ProxyMirrorSettings> settings,
        MirrorMetrics metrics,
        MirrorMemoryBudget budget,
        MirrorFailureLog failures,
        TimeProvider time,
        ILogger<MirrorDispatcher> logger)
    {
        _sender = sender;
        _logger = logger;
        Budget = budget;
        _context = new MirrorLaneContext(settings, time, new MirrorLoad(), failures);
        metrics.ObserveDispatcher(() => _context.Load.Queued, () => _context.Load.InFlight, () => budget.Used, OpenConnections);
        _sweepPeriod = SweepPeriod(settings());
        _sweeper = time.CreateTimer(static d => ((MirrorDispatcher)d!).Sweep(), this, _sweepPeriod, _sweepPeriod);
    }

    public MirrorMemoryBudget Budget { get; }

    /// <summary>Copies accepted but not yet written to a mirror.</summary>
    public int QueueLength => _context.Load.Queued;

    /// <summary>
    /// True while <c>queue_size</c> copies wait: a request sampled then is dropped before its
    /// copy is made (headers frozen, body buffered) only to be refused.
    /// </summary>
    public bool IsFull => _context.Load.Queued >= _context.Settings.QueueSize;

    /// <summary>Copies written to a mirror whose answer is awaited.</summary>
    public int InFlight => _context.Load.InFlight;

    /// <summary>Open or opening HTTP/1.1 connections to <paramref name="origin"/> (diagnostics and tests).</summary>
    public int ConnectionsTo(string origin)
        => _http1Lanes.TryGetValue(origin, out var lane) ? lane.ConnectionCount : 0;

    private int OpenConnections()
    {
        var open = 0;
        foreach (var lane in _http1Lanes.Values)
        {
            open += lane.ConnectionCount;
        }

        return open;
    }

    /// <summary>
    /// Makes <paramref name="request"/> a copy and hands it to its lane; false (and counted) when
    /// the queue is full or the node is stopping.
    /// </summary>
    public bool TryEnqueue(MirrorRequest request)
    {
        var copy = new MirrorCopy(request, _context);
        if (Volatile.Read(ref _disposed) != 0)
        {
            copy.Drop(MirrorReasons.Shutdown);
            return false;
        }

        if (!copy.TryEnterQueue(_context.Settings.QueueSize))
        {
            copy.Drop(MirrorReasons.QueueFull);
            return false;
        }

        LaneFor(request).Enqueue(copy);
        return true;
    }

    /// <summary>A copy that cannot be sent at all (say, a field that would split its request head): counted failed and logged, never queued.</summary>
    public void Fail(MirrorRequest request, string reason, string error) => new MirrorCopy(request, _context).Fail(reason, error);

    /// <summary>A copy given up before it was queued (its body could not be copied): counted dropped, its answer sink told.</summary>
    public void Drop(MirrorRequest request, string reason) => new MirrorCopy(request, _context).Drop(reason);

    private IMirrorLane LaneFor(MirrorRequest request)
    {
        var origin = request.Origin;
        var timeouts = request.Timeouts;

        // A target with its own timeouts gets lanes of its own: connections of one lane share timeouts.
        var key = timeouts is null ? origin.BaseUri : origin.BaseUri + " " + timeouts.Key;
        if (request.Version.Major >= 2)
        {
            return _http2Lanes.TryGetValue(key, out var h2)
                ? h2
                : _http2Lanes.GetOrAdd(key, _ => new Http2MirrorLane(_sender, ContextFor(timeouts), _logger));
        }

        return _http1Lanes.TryGetValue(key, out var h1)
            ? h1
            : _http1Lanes.GetOrAdd(key, _ => new Http1MirrorLane(origin, ContextFor(timeouts)));
    }

    private MirrorLaneContext ContextFor(MirrorTimeouts? timeouts) => timeouts is null ? _context : _context.WithTimeouts(timeouts);

    private void Sweep()
    {
        try
        {
            var now = _context.Time.GetTimestamp();
            foreach (var lane in _http1Lanes.Values)
            {
                lane.Sweep(now);
            }

            // Timeouts edited in config.yaml change how often they must be checked.
            var period = SweepPeriod(_context.Settings);
            if (period != _sweepPeriod && Volatile.Read(ref _disposed) == 0)
            {
                _sweepPeriod = period;
                _sweeper.Change(period, period);
            }
        }
        catch (Exception ex)
        {
            LogSweepFailed(ex);
        }
    }

    /// <summary>A quarter of the shortest timeout, between 10 and 100 ms: timeouts fire within that much of their value.</summary>
    private static TimeSpan SweepPeriod(ProxyMirrorSettings settings)
    {
        var shortest = TimeSpan.FromTicks(Math.Min(settings.SendTimeout.Ticks, settings.ReadTimeout.Ticks) / 4);
        return shortest < ShortestSweep ? ShortestSweep : shortest > LongestSweep ? LongestSweep : shortest;
    }

    /// <summary>
    /// Stops taking copies, lets the lanes send what is queued and await what is in flight for up
    /// to <see cref="ShutdownDrain"/>, then abandons the rest: copies never written are counted
    /// as dropped (reason shutdown), and every body is released.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await _context.Load.WhenIdleAsync().WaitAsync(ShutdownDrain).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _context.Stop();
        foreach (var lane in _http1Lanes.Values.Concat<IMirrorLane>(_http2Lanes.Values))
        {
            lane.Stop();
        }

        await _sweeper.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>How long a stopping node keeps sending queued mirrors (the primaries have drained by then).</summary>
    public static readonly TimeSpan ShutdownDrain = TimeSpan.FromSeconds(3);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "Checking mirror connection timeouts failed; it is tried again shortly")]
    private partial void LogSweepFailed(Exception exception);
}

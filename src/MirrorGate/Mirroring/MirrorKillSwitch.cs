using Microsoft.Extensions.Logging;

namespace MirrorGate.Mirroring;

/// <summary>
/// The kill switch of one route's target (<c>max_failure_ratio</c>): counts settled copies and
/// bad ones (failed, or dropped because a queue was full) over a sliding window of
/// <see cref="Buckets"/> time buckets; when the bad share passes the ratio with enough copies
/// settled, it opens for the cool-down: the handler then drops the target's copies at once
/// (<c>dropped{reason="circuit_open"}</c>). The request path only reads one field
/// (<see cref="AllowsCopy"/>); counting is a few interlocked adds on the settle path.
/// </summary>
/// <remarks>
/// Unlike <see cref="MirrorCircuit"/> (connect refusals of a host, for all routes), this reacts to
/// any failure (timeouts, resets, a queue the target cannot drain) of one route's target, so a
/// broken or slow mirror stops costing the node work and memory until it had time to recover.
/// </remarks>
internal sealed partial class MirrorKillSwitch
{
    public const int Buckets = 10;

    private readonly MirrorKillSwitchOptions _options;
    private readonly string _routeId;
    private readonly string _target;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _bucketTicks;
    private readonly long _coolDownTicks;
    private readonly Bucket[] _buckets = new Bucket[Buckets];
    private readonly Lock _rotate = new();
    private long _openUntil; // timestamp; 0 = closed

    public MirrorKillSwitch(MirrorKillSwitchOptions options, string routeId, string target, TimeProvider time, ILogger logger)
    {
        _options = options;
        _routeId = routeId;
        _target = target;
        _time = time;
        _logger = logger;
        _bucketTicks = Math.Max(1, (long)(options.Window.TotalSeconds * time.TimestampFrequency / Buckets));
        _coolDownTicks = (long)(options.CoolDown.TotalSeconds * time.TimestampFrequency);
        for (var i = 0; i < _buckets.Length; i++)
        {
            _buckets[i] = new Bucket { Epoch = long.MinValue };
        }
    }

    public MirrorKillSwitchOptions Options => _options;

    /// <summary>Whether the switch is open right now (reading it does not close it).</summary>
    public bool IsOpen
    {
        get
        {
            var openUntil = Volatile.Read(ref _openUntil);
            return openUntil != 0 && _time.GetTimestamp() < openUntil;
        }
    }

    /// <summary>
    /// The request-path check: false while open. The first check after the cool-down closes it
    /// (one info log line) with an empty window, so the target gets a fresh start.
    /// </summary>
    public bool AllowsCopy()
    {
        var openUntil = Volatile.Read(ref _openUntil);
        if (openUntil == 0)
        {
            return true;
        }

        if (_time.GetTimestamp() < openUntil)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _openUntil, 0, openUntil) == openUntil)
        {
            lock (_rotate)
            {
                foreach (var bucket in _buckets)
                {
                    bucket.Epoch = long.MinValue;
                    Volatile.Write(ref bucket.Settled, 0);
                    Volatile.Write(ref bucket.Bad, 0);
                }
            }

            LogRecovered(_routeId, _target);
        }

        return true;
    }

    /// <summary>A copy answered (any status): the mirror took it.</summary>
    public void OnGood() => Record(bad: false);

    /// <summary>A copy failed, or was dropped because a queue was full.</summary>
    public void OnBad() => Record(bad: true);

    private void Record(bool bad)
    {
        if (Volatile.Read(ref _openUntil) != 0)
        {
            // Copies settling while open (written before it tripped) do not count: the window
            // starts afresh after the cool-down.
            return;
        }

        var now = _time.GetTimestamp();
        var epoch = now / _bucketTicks;
        var bucket = _buckets[(int)(epoch % Buckets)];
        if (Volatile.Read(ref bucket.Epoch) != epoch)
        {
            lock (_rotate)
            {
                if (bucket.Epoch != epoch)
                {
                    Volatile.Write(ref bucket.Settled, 0);
                    Volatile.Write(ref bucket.Bad, 0);
                    Volatile.Write(ref bucket.Epoch, epoch);
                }
            }
        }

        Interlocked.Increment(ref bucket.Settled);
        if (!bad)
        {
            return;
        }

        Interlocked.Increment(ref bucket.Bad);
        long settled = 0, failed = 0;
        foreach (var b in _buckets)
        {
            var e = Volatile.Read(ref b.Epoch);
            if (e > epoch - Buckets && e <= epoch)
            {
                settled += Volatile.Read(ref b.Settled);
                failed += Volatile.Read(ref b.Bad);
            }
        }

        if (settled < _options.MinCopies || failed <= _options.MaxFailureRatio * settled)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _openUntil, Math.Max(1, now + _coolDownTicks), 0) == 0)
        {
            LogTripped(_routeId, _target, failed, settled, _options.Window.TotalSeconds, _options.CoolDown.TotalSeconds);
        }
    }

    private sealed class Bucket
    {
        public long Epoch;
        public long Settled;
        public long Bad;
    }

    [LoggerMessage(EventId = 3040, Level = LogLevel.Warning, Message = "Mirror target {Target} of route {RouteId}: {Failed} of {Settled} copies failed or found the queue full in the last {Window} s; its copies are dropped for {CoolDown} s (kill switch open); the primary requests are unaffected")]
    private partial void LogTripped(string routeId, string target, long failed, long settled, double window, double coolDown);

    [LoggerMessage(EventId = 3041, Level = LogLevel.Information, Message = "Mirror target {Target} of route {RouteId} receives copies again (kill switch closed after its cool-down)")]
    private partial void LogRecovered(string routeId, string target);
}

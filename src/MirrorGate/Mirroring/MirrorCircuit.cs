using Microsoft.Extensions.Logging;

namespace MirrorGate.Mirroring;

/// <summary>
/// A circuit breaker for one mirror host. A refused or unreachable mirror costs more CPU per copy
/// than a healthy one (a failed connect and its exception each time), so after
/// <see cref="Threshold"/> connect failures in a row the circuit opens: copies for that host are
/// dropped at once (<c>dropped{reason="circuit_open"}</c>) for one second, doubling up to 30 s
/// while the host stays down. After that, copies flow again; the first success closes it.
/// Timeouts and error answers do not count: a slow mirror is bounded by the queue instead.
/// </summary>
internal sealed partial class MirrorCircuit(string target, TimeProvider time, ILogger logger)
{
    public const int Threshold = 5;

    private static readonly TimeSpan FirstOpen = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestOpen = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private long _openUntil; // timestamp; 0 = closed
    private int _consecutiveFailures;
    private TimeSpan _nextOpen = FirstOpen;

    /// <summary>Lock-free check on the request path: false while the circuit is open.</summary>
    public bool AllowsRequest()
    {
        var openUntil = Volatile.Read(ref _openUntil);
        return openUntil == 0 || time.GetTimestamp() >= openUntil;
    }

    public void OnConnected()
    {
        if (Volatile.Read(ref _consecutiveFailures) == 0 && Volatile.Read(ref _openUntil) == 0)
        {
            return;
        }

        lock (_lock)
        {
            var wasOpen = _openUntil != 0;
            _consecutiveFailures = 0;
            _nextOpen = FirstOpen;
            Volatile.Write(ref _openUntil, 0);
            if (wasOpen)
            {
                LogClosed(target);
            }
        }
    }

    public void OnConnectFailed()
    {
        lock (_lock)
        {
            _consecutiveFailures++;
            var now = time.GetTimestamp();
            var stillOpen = _openUntil != 0 && now < _openUntil;
            if (_consecutiveFailures < Threshold || stillOpen)
            {
                return;
            }

            var openFor = _nextOpen;
            Volatile.Write(ref _openUntil, now + (long)(openFor.TotalSeconds * time.TimestampFrequency));
            _nextOpen = openFor * 2 > LongestOpen ? LongestOpen : openFor * 2;
            LogOpened(target, _consecutiveFailures, openFor.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Mirror {Target} refused {Failures} connections in a row: its copies are dropped for {Seconds} s (circuit open); the primary requests are unaffected")]
    private partial void LogOpened(string target, int failures, double seconds);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Mirror {Target} accepts connections again (circuit closed)")]
    private partial void LogClosed(string target);
}

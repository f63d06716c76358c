using System.Collections.Concurrent;
using System.Diagnostics;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// The node's record of shadow comparisons: counts each one in the metrics, keeps the last
/// mismatches of every route and target for the Admin API, and hands mismatches to the
/// <c>compare_log</c> writer. Called when an answer is compared, off the request path.
/// </summary>
internal sealed class CompareResults : IAsyncDisposable, IDisposable
{
    /// <summary>Skip reasons, the <c>reason</c> label of <c>mirrorgate.mirror.compare.skipped</c>.</summary>
    public static class SkipReasons
    {
        /// <summary>The node's compare_max_bytes budget was spent.</summary>
        public const string Budget = "budget";

        /// <summary>The target's copy failed or was dropped.</summary>
        public const string NoAnswer = "no_answer";

        /// <summary>The primary's answer did not complete (client gone, response aborted).</summary>
        public const string PrimaryIncomplete = "primary_incomplete";

        /// <summary>The noise target's copy failed or was dropped.</summary>
        public const string NoiseNoAnswer = "noise_no_answer";
    }

    /// <summary>Route and target pairs kept at most; beyond it the least recently used pair is forgotten.</summary>
    public const int MaxRings = 4096;

    private readonly ConcurrentDictionary<(string RouteId, string Target), MismatchRing> _rings = new();
    private readonly Lock _evictLock = new();
    private readonly CompareMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly MismatchLogWriter? _log;
    private Func<string, string, bool>? _stillCompared;

    /// <param name="log">Where mismatches are also written as JSON lines; null keeps them in memory only.</param>
    public CompareResults(CompareMetrics metrics, TimeProvider time, MismatchLogWriter? log = null)
    {
        _metrics = metrics;
        _time = time;
        _log = log;
    }

    public CompareMetrics Metrics => _metrics;

    /// <summary>Counts a finished comparison; keeps <paramref name="mismatch"/> (when given) among the last <paramref name="keepMismatches"/> of its route and target.</summary>
    public void Record(string routeId, string target, CompareOutcome outcome, MismatchRecord? mismatch, int keepMismatches = CompareOptions.DefaultKeepMismatches)
    {
        var result = outcome.Result switch
        {
            CompareResult.Match => "match",
            CompareResult.Noise => "noise",
            _ => "mismatch",
        };
        _metrics.Compared.Add(1, Tags(routeId, target, result));
        var ring = LiveRing(routeId, target);
        ring?.Count(outcome.Result, _time.GetTimestamp());
        if (mismatch is not null)
        {
            ring?.Add(mismatch, Math.Clamp(keepMismatches, 0, CompareOptions.MaxKeepMismatches));
            _log?.TryWrite(mismatch);
        }
    }

    /// <summary>Counts a comparison that could not be made (<see cref="SkipReasons"/>).</summary>
    public void Skipped(string routeId, string target, string reason)
    {
        _metrics.Compared.Add(1, Tags(routeId, target, "skipped"));
        _metrics.Skipped.Add(1, new TagList { { "route", routeId }, { "target", target }, { "reason", reason } });
        LiveRing(routeId, target)?.CountSkipped(_time.GetTimestamp());
    }

    /// <summary>Every route and target with comparisons, ordered by route id then target.</summary>
    public IReadOnlyList<MismatchRingView> Views(string? routeId = null, string? target = null)
        => _rings.Values
            .Where(r => (routeId is null || r.RouteId == routeId) && (target is null || r.Target == target))
            .OrderBy(r => r.RouteId, StringComparer.Ordinal)
            .ThenBy(r => r.Target, StringComparer.Ordinal)
            .Select(r => r.View())
            .ToArray();

    /// <summary>Forgets counts and mismatches (all, one route's, or one route and target's); returns the pairs cleared.</summary>
    public int Clear(string? routeId = null, string? target = null)
    {
        var cleared = 0;
        foreach (var key in _rings.Keys)
        {
            if ((routeId is null || key.RouteId == routeId) && (target is null || key.Target == target) && _rings.TryRemove(key, out _))
            {
                cleared++;
            }
        }

        return cleared;
    }

    /// <summary>
    /// Drops the rings of route and target pairs that no longer compare (call after a new
    /// configuration is in force), so deleted routes do not hold memory forever.
    /// </summary>
    public void Retain(Func<string, string, bool> stillCompared)
    {
        Volatile.Write(ref _stillCompared, stillCompared);
        foreach (var key in _rings.Keys)
        {
            if (!stillCompared(key.RouteId, key.Target))
            {
                _rings.TryRemove(key, out _);
            }
        }
    }

    /// <summary>
    /// The ring of a route and target, made when it has none, unless the configuration in force no
    /// longer compares that pair: a comparison that finishes after its route changed is still
    /// counted, but does not bring back the ring <see cref="Retain"/> let go.
    /// </summary>
    private MismatchRing? LiveRing(string routeId, string target)
    {
        if (_rings.TryGetValue((routeId, target), out var ring))
        {
            return ring;
        }

        return Volatile.Read(ref _stillCompared) is { } compared && !compared(routeId, target) ? null : Ring(routeId, target);
    }

    /// <summary>Completes once every mismatch recorded before the call is in the compare_log file (tests, shutdown).</summary>
    public Task FlushLogAsync() => _log?.FlushAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_log is not null)
        {
            await _log.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => _log?.Dispose();

    private static TagList Tags(string routeId, string target, string result)
        => new() { { "route", routeId }, { "target", target }, { "result", result } };

    private MismatchRing Ring(string routeId, string target)
    {
        var key = (routeId, target);
        if (_rings.TryGetValue(key, out var ring))
        {
            return ring;
        }

        if (_rings.Count >= MaxRings)
        {
            EvictLeastRecentlyUsed();
        }

        return _rings.GetOrAdd(key, static k => new MismatchRing(k.RouteId, k.Target));
    }

    private void EvictLeastRecentlyUsed()
    {
        // Rare (a node comparing thousands of route and target pairs), so a scan is fine.
        lock (_evictLock)
        {
            while (_rings.Count >= MaxRings)
            {
                var oldest = _rings.Values.MinBy(r => r.LastTouched);
                if (oldest is null || !_rings.TryRemove((oldest.RouteId, oldest.Target), out _))
                {
                    return;
                }
            }
        }
    }
}

namespace MirrorGate.Mirroring;

/// <summary>
/// The instruments bound to one route and mirror target, with every tag set built once when the
/// route is compiled, so counting an outcome on the request path allocates nothing. A copy's
/// settle ends here (<see cref="OnSent"/>, <see cref="OnFailed"/>, <see cref="OnDropped"/>), so
/// this is also where the target's kill switch hears outcomes and its queue budget is given back.
/// </summary>
internal sealed class MirrorTargetMetrics
{
    private readonly MirrorMetrics _metrics;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly KeyValuePair<string, object?>[][] _statusTags;
    private readonly Dictionary<string, KeyValuePair<string, object?>[]> _reasonTags;

    private readonly MirrorKillSwitch? _killSwitch;
    private readonly MirrorTargetLoad? _load;

    public MirrorTargetMetrics(MirrorMetrics metrics, string routeId, string target, MirrorKillSwitch? killSwitch = null, MirrorTargetLoad? load = null)
    {
        _metrics = metrics;
        _killSwitch = killSwitch;
        _load = load;
        RouteId = routeId;
        Target = target;
        _tags = [new("route", routeId), new("target", target)];
        _statusTags = new KeyValuePair<string, object?>[6][];
        for (var i = 0; i < _statusTags.Length; i++)
        {
            _statusTags[i] = [new("route", routeId), new("target", target), new("status_class", i == 0 ? "other" : $"{i}xx")];
        }

        _reasonTags = new Dictionary<string, KeyValuePair<string, object?>[]>(StringComparer.Ordinal);
        foreach (var reason in MirrorReasons.All)
        {
            _reasonTags[reason] = [new("route", routeId), new("target", target), new("reason", reason)];
        }
    }

    public string RouteId { get; }

    public string Target { get; }

    public MirrorKillSwitch? KillSwitch => _killSwitch;

    public MirrorTargetLoad? Load => _load;

    public void OnSampled() => _metrics.Sampled.Add(1, _tags);

    /// <summary>A copy was made (after <see cref="MirrorTargetLoad.TryTake"/>): it ends in exactly one of sent, failed or dropped.</summary>
    public void OnSent(int statusCode, TimeSpan elapsed)
    {
        _load?.Release();
        _killSwitch?.OnGood();
        var cls = statusCode is >= 100 and < 600 ? statusCode / 100 : 0;
        _metrics.Sent.Add(1, _statusTags[cls]);
        _metrics.Duration.Record(elapsed.TotalSeconds, _tags);
    }

    public void OnFailed(string reason, TimeSpan elapsed)
    {
        _load?.Release();
        if (reason != MirrorReasons.Shutdown)
        {
            _killSwitch?.OnBad();
        }

        _metrics.Failed.Add(1, _reasonTags[reason]);
        _metrics.Duration.Record(elapsed.TotalSeconds, _tags);
    }

    /// <summary>A copy that was made is dropped (queue full, body incomplete, node stopping...).</summary>
    public void OnDropped(string reason)
    {
        _load?.Release();
        OnRefused(reason);
    }

    /// <summary>A sampled request is dropped before its copy was made (the handler's checks): nothing to give back.</summary>
    public void OnRefused(string reason)
    {
        _metrics.Dropped.Add(1, _reasonTags[reason]);
        if (reason == MirrorReasons.QueueFull)
        {
            _killSwitch?.OnBad();
        }
    }
}

/// <summary>Reason tag values; one constant each so names stay consistent across code, tests and docs.</summary>
internal static class MirrorReasons
{
    public const string QueueFull = "queue_full";
    public const string BodyTooLarge = "body_too_large";
    public const string BufferFull = "buffer_full";
    public const string BodyIncomplete = "body_incomplete";
    public const string ClientAborted = "client_aborted";
    public const string Upgrade = "upgrade";
    public const string Connect = "connect";
    public const string Timeout = "timeout";
    public const string Resolve = "resolve";
    public const string Error = "error";
    public const string Shutdown = "shutdown";
    public const string CircuitOpen = "circuit_open";

    /// <summary>Dropped: the request is itself a mirror copy (it carries the mirror marker).</summary>
    public const string Loop = "loop";

    /// <summary>Dropped: a CONNECT request (a tunnel), which a copy cannot carry.</summary>
    public const string ConnectMethod = "connect_method";

    public static readonly string[] All =
        [QueueFull, BodyTooLarge, BufferFull, BodyIncomplete, ClientAborted, Upgrade, Shutdown, CircuitOpen, Loop, ConnectMethod, Connect, Timeout, Resolve, Error];
}

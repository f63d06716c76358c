namespace MirrorGate.Mirroring.Http1;

/// <summary>
/// The HTTP/1.1 connections to one mirror origin (http or https). Copies are pipelined: a new
/// copy joins a connection whose answers come back within <see cref="StallAfter"/>, up to
/// <c>pipeline_depth</c> unanswered copies, and copies that arrive together are written
/// together, so a busy mirror leg costs one write and one read for many copies on both sides.
/// A connection that answers slowly (or has not answered yet) takes one copy at a time: further
/// copies go to another connection (up to <c>concurrency</c> per origin) or wait in the node's queue.
/// All connection state is guarded by one lock per origin; I/O never happens under it.
/// </summary>
internal sealed class Http1MirrorLane : IMirrorLane
{
    /// <summary>How long a connection may go without answering before new copies avoid it.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>Connections with nothing to do are closed after this long (as SocketsHttpHandler's pool).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);

    private readonly Lock _lock = new();
    private readonly List<MirrorConnection> _connections = [];
    private readonly Queue<MirrorRequest> _waiting = new();
    private readonly long _stallTicks;
    private readonly long _idleTicks;
    private MirrorCircuit? _circuit;

    public Http1MirrorLane(string origin, MirrorLaneContext context)
    {
        var uri = new Uri(origin);
        Host = uri.IdnHost;
        Port = uri.Port;
        UseTls = uri.Scheme == Uri.UriSchemeHttps;
        Context = context;
        _stallTicks = context.Ticks(StallAfter);
        _idleTicks = context.Ticks(IdleTimeout);
    }

    /// <summary>The mirror's host name or address (IPv6 without brackets).</summary>
    public string Host { get; }

    public int Port { get; }

    public bool UseTls { get; }

    public MirrorLaneContext Context { get; }

    internal Lock Sync => _lock;

    internal MirrorCircuit? Circuit => _circuit;

    /// <summary>Open or opening connections (for tests and diagnostics).</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    public void Enqueue(MirrorRequest request)
    {
        _circuit ??= request.Circuit;
        MirrorConnection? started;
        bool isNew;
        lock (_lock)
        {
            started = Assign(request, Context.Time.GetTimestamp(), out isNew, out var assigned);
            if (!assigned)
            {
                _waiting.Enqueue(request);
            }
        }

        Start(started, isNew);
    }

    private static void Start(MirrorConnection? connection, bool isNew)
    {
        if (connection is null)
        {
            return;
        }

        if (isNew)
        {
            connection.Connect();
        }
        else
        {
            connection.ScheduleWrite();
        }
    }

    /// <summary>
    /// Gives waiting copies to connections that can take them (after an answer freed a slot or a
    /// connection closed). Copies for a host whose circuit opened are dropped.
    /// </summary>
    internal void DrainWaiting()
    {
        List<(MirrorConnection Connection, bool IsNew)>? starts = null;
        List<MirrorRequest>? refused = null;
        lock (_lock)
        {
            var now = Context.Time.GetTimestamp();
            while (_waiting.Count > 0)
            {
                if (_circuit is { } circuit && !circuit.AllowsRequest())
                {
                    refused ??= [];
                    refused.AddRange(_waiting);
                    _waiting.Clear();
                    break;
                }

                var request = _waiting.Peek();
                var connection = Assign(request, now, out var isNew, out var assigned);
                if (!assigned)
                {
                    break;
                }

                _waiting.Dequeue();
                if (connection is not null)
                {
                    (starts ??= []).Add((connection, isNew));
                }
            }
        }

        if (refused is not null)
        {
            Context.Load.Unqueue(refused.Count);
            foreach (var request in refused)
            {
                Context.Drop(request, MirrorReasons.CircuitOpen);
            }
        }

        if (starts is not null)
        {
            foreach (var (connection, isNew) in starts)
            {
                Start(connection, isNew);
            }
        }
    }

    /// <summary>
    /// Puts <paramref name="request"/> on a connection that can take it, opening one if the cap
    /// allows (under the lock); <paramref name="assigned"/> false when none can. Returns the
    /// connection whose connect (<paramref name="isNew"/>) or writer must be started outside the lock.
    /// </summary>
    private MirrorConnection? Assign(MirrorRequest request, long now, out bool isNew, out bool assigned)
    {
        var settings = Context.Settings;
        isNew = false;
        assigned = true;
        foreach (var connection in _connections)
        {
            if (connection.Accepts(now, settings, _stallTicks))
            {
                connection.Pending.Enqueue(request);
                connection.LastUsed = now;
                return connection.ClaimWriter() ? connection : null;
            }
        }

        if (_connections.Count < settings.Concurrency)
        {
            var connection = new MirrorConnection(this, settings.VerifyTls, now);
            connection.Pending.Enqueue(request);
            _connections.Add(connection);
            isNew = true;
            return connection;
        }

        assigned = false;
        return null;
    }

    /// <summary>Called under the lock by a closing connection.</summary>
    internal void Remove(MirrorConnection connection) => _connections.Remove(connection);

    /// <summary>Moves waiting copies onto <paramref name="connection"/>, which just answered (under the lock).</summary>
    internal bool MoveWaitingTo(MirrorConnection connection, long now)
    {
        var settings = Context.Settings;
        var moved = false;
        while (_waiting.Count > 0 && connection.Accepts(now, settings, _stallTicks))
        {
            connection.Pending.Enqueue(_waiting.Dequeue());
            moved = true;
        }

        return moved && connection.ClaimWriter();
    }

    /// <summary>
    /// Takes back the copies a closed connection left to send (again), then finds connections for
    /// everything waiting: the closed one's place may now be opened anew.
    /// </summary>
    internal void Resubmit(List<MirrorRequest> requests)
    {
        if (Context.Stopping)
        {
            Context.Load.Unqueue(requests.Count);
            foreach (var request in requests)
            {
                Context.Drop(request, MirrorReasons.Shutdown);
            }

            return;
        }

        lock (_lock)
        {
            foreach (var request in requests)
            {
                _waiting.Enqueue(request);
            }
        }

        DrainWaiting();
    }

    /// <summary>Enforces send and read timeouts and closes idle connections; the dispatcher calls it a few times a second.</summary>
    public void Sweep(long now)
    {
        List<(MirrorConnection Connection, string Reason, string Error, bool Resend)>? close = null;
        lock (_lock)
        {
            var settings = Context.Settings;
            foreach (var connection in _connections)
            {
                var verdict = connection.Check(now, settings, _idleTicks);
                if (verdict is { } v)
                {
                    (close ??= []).Add((connection, v.Reason, v.Error, v.Resend));
                }
            }
        }

        if (close is null)
        {
            return;
        }

        foreach (var (connection, reason, error, resend) in close)
        {
            connection.Abort(reason, error, resend);
        }
    }

    public void Stop()
    {
        MirrorConnection[] connections;
        List<MirrorRequest> waiting;
        lock (_lock)
        {
            connections = [.. _connections];
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        Context.Load.Unqueue(waiting.Count);
        foreach (var request in waiting)
        {
            Context.Drop(request, MirrorReasons.Shutdown);
        }

        foreach (var connection in connections)
        {
            connection.Abort(MirrorReasons.Shutdown, "the node is stopping");
        }
    }
}

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
    private readonly Queue<MirrorCopy> _waiting = new();
    private readonly long _stallTicks;
    private readonly long _idleTicks;
    private MirrorCircuit? _circuit;

    public Http1MirrorLane(MirrorOrigin origin, MirrorLaneContext context)
    {
        Host = origin.Host;
        Port = origin.Port;
        UseTls = origin.UseTls;
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

    public void Enqueue(MirrorCopy copy)
    {
        _circuit ??= copy.Request.Circuit;
        MirrorConnection? started;
        bool isNew;
        lock (_lock)
        {
            started = Assign(copy, Context.Time.GetTimestamp(), out isNew, out var assigned);
            if (!assigned)
            {
                _waiting.Enqueue(copy);
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
        List<MirrorCopy>? refused = null;
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

                var copy = _waiting.Peek();
                var connection = Assign(copy, now, out var isNew, out var assigned);
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
            foreach (var copy in refused)
            {
                copy.Drop(MirrorReasons.CircuitOpen);
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
    /// Puts <paramref name="copy"/> on a connection that can take it, opening one if the cap
    /// allows (under the lock); <paramref name="assigned"/> false when none can. Returns the
    /// connection whose connect (<paramref name="isNew"/>) or writer must be started outside the lock.
    /// </summary>
    private MirrorConnection? Assign(MirrorCopy copy, long now, out bool isNew, out bool assigned)
    {
        var settings = Context.Settings;
        isNew = false;
        assigned = true;
        foreach (var connection in _connections)
        {
            if (connection.Accepts(now, settings, _stallTicks))
            {
                connection.Pending.Enqueue(copy);
                connection.LastUsed = now;
                return connection.ClaimWriter() ? connection : null;
            }
        }

        if (_connections.Count < settings.Concurrency)
        {
            var connection = new MirrorConnection(this, settings.VerifyTls, now);
            connection.Pending.Enqueue(copy);
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
            var copy = _waiting.Dequeue();
            connection.Pending.Enqueue(copy);
            moved = true;
        }

        return moved && connection.ClaimWriter();
    }

    /// <summary>
    /// Takes back the copies a closed connection may send again (never written, or declined by
    /// the mirror), then finds connections for everything waiting: the closed one's place may
    /// now be opened anew. A copy that waited on <see cref="MirrorCopy.MaxAttempts"/> connections
    /// that closed without writing or answering anything fails with the last one's <paramref name="reason"/>.
    /// </summary>
    internal void Resubmit(List<MirrorCopy> copies, string reason, string error)
    {
        if (Context.Stopping)
        {
            foreach (var copy in copies)
            {
                copy.Drop(MirrorReasons.Shutdown);
            }

            return;
        }

        List<MirrorCopy>? exhausted = null;
        lock (_lock)
        {
            foreach (var copy in copies)
            {
                if (copy.CanRequeue)
                {
                    _waiting.Enqueue(copy);
                }
                else
                {
                    (exhausted ??= []).Add(copy);
                }
            }
        }

        if (exhausted is not null)
        {
            foreach (var copy in exhausted)
            {
                copy.Fail(reason, $"{error} (the copy was never written: {copy.FruitlessConnections} connections to the mirror closed before anything was written or answered on them)");
            }
        }

        DrainWaiting();
    }

    /// <summary>Enforces send and read timeouts and closes idle connections; the dispatcher calls it a few times a second.</summary>
    public void Sweep(long now)
    {
        List<(MirrorConnection Connection, string Reason, string Error)>? close = null;
        lock (_lock)
        {
            var settings = Context.Settings;
            foreach (var connection in _connections)
            {
                var verdict = connection.Check(now, settings, _idleTicks);
                if (verdict is { } v)
                {
                    (close ??= []).Add((connection, v.Reason, v.Error));
                }
            }
        }

        if (close is null)
        {
            return;
        }

        foreach (var (connection, reason, error) in close)
        {
            connection.Abort(reason, error);
        }
    }

    public void Stop()
    {
        MirrorConnection[] connections;
        List<MirrorCopy> waiting;
        lock (_lock)
        {
            connections = [.. _connections];
            waiting = [.. _waiting];
            _waiting.Clear();
        }

        foreach (var copy in waiting)
        {
            copy.Drop(MirrorReasons.Shutdown);
        }

        foreach (var connection in connections)
        {
            connection.Abort(MirrorReasons.Shutdown, "the node is stopping");
        }
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Tests.Mirroring;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// A mirror written at the socket level, for the answers Kestrel will not give: it reads
/// pipelined requests off keep-alive connections as they arrive, answers each when its
/// <see cref="WireMirrorOptions"/> say (before the body, in the middle, after it) and closes
/// where a test asks (<see cref="WireCut"/>, the keep-alive limit). It records every request it
/// read, with the body bytes it got and whether the body was whole, and every fault: bytes that
/// were not a request where one should start.
/// </summary>
internal sealed class WireMirror : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<string> _faults = new();
    private readonly ConcurrentQueue<RecordedRequest> _lingered = new();
    private readonly ChangeSignal _changed = new();
    private readonly List<(Socket Socket, Task Run)> _connections = [];
    private readonly Task _acceptLoop;
    private int _keepAliveCloses;
    private int _lingeredHeadsCut;

    public WireMirror(WireMirrorOptions? options = null)
    {
        Options = options ?? new WireMirrorOptions();
        _listener = new TcpListener(IPAddress.Loopback, 0);
        if (Options.ReceiveBufferBytes is { } receiveBuffer)
        {
            // Set before listening: accepted sockets inherit it, and the window is agreed on at the handshake.
            _listener.Server.ReceiveBufferSize = receiveBuffer;
        }

        _listener.Start(backlog: 512);
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public WireMirrorOptions Options { get; }

    public string Url { get; }

    /// <summary>Every request read, in the order each was finished with (its body whole, cut or ended).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>
    /// Requests read on connections the mirror had already closed its side of (a cut, the
    /// keep-alive limit): never served, so their client may not count them sent.
    /// </summary>
    public IReadOnlyList<RecordedRequest> Lingered => _lingered.ToArray();

    /// <summary>Request heads the client began on a closing connection and closed inside of.</summary>
    public int LingeredHeadsCut => Volatile.Read(ref _lingeredHeadsCut);

    /// <summary>What was not a request where one should have started, per connection.</summary>
    public IReadOnlyList<string> Faults => _faults.ToArray();

    /// <summary>Connections accepted so far.</summary>
    public int Connections
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Connections the mirror closed because they reached <see cref="WireMirrorOptions.KeepAliveRequests"/>.</summary>
    public int KeepAliveCloses => Volatile.Read(ref _keepAliveCloses);

    /// <summary>
    /// What the mirror got, once it has recorded <paramref name="count"/> requests (with
    /// <paramref name="withLingered"/>, lingered ones and heads cut count too) or after the
    /// timeout (10 s by default) with what it has: the caller's assertions say what is missing.
    /// </summary>
    public async Task<CopyTally> TallyAsync(int count, TimeSpan? timeout = null, bool withLingered = false)
    {
        try
        {
            await _changed.WaitUntilAsync(
                () => _requests.Count + (withLingered ? _lingered.Count + LingeredHeadsCut : 0) >= count,
                () => "",
                timeout ?? TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
        }

        return CopyTally.Of(this);
    }

    internal void Record(RecordedRequest request)
    {
        _requests.Enqueue(request);
        _changed.Changed();
    }

    internal void RecordLingered(RecordedRequest request)
    {
        _lingered.Enqueue(request);
        _changed.Changed();
    }

    internal void LingeredHeadCut()
    {
        Interlocked.Increment(ref _lingeredHeadsCut);
        _changed.Changed();
    }

    internal void Fault(string what)
    {
        _faults.Enqueue(what);
        _changed.Changed();
    }

    internal void ClosedAtKeepAliveLimit() => Interlocked.Increment(ref _keepAliveCloses);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                socket.NoDelay = true;
                lock (_connections)
                {
                    var connection = new WireMirrorConnection(this, socket, _connections.Count);
                    _connections.Add((socket, Task.Run(() => connection.RunAsync(_stop.Token))));
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Task[] runs;
        lock (_connections)
        {
            _connections.ForEach(c => c.Socket.Dispose());
            runs = [.. _connections.Select(c => c.Run)];
        }

        try
        {
            await Task.WhenAll([_acceptLoop, .. runs]).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // A connection's script ends with its socket; nothing is left to wait for.
        }

        _stop.Dispose();
    }
}

using System.Net;
using System.Net.Sockets;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// A mirror that misbehaves below HTTP: it accepts each connection, reads what arrives first, then
/// either resets it (RST) or closes it without a word (FIN); or, silent, it never reads at all, so
/// a sender's writes stall once the socket buffers are full. Counts the connections it took.
/// </summary>
internal sealed class BrokenMirror : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _reset;
    private readonly bool _silent;
    private readonly List<Socket> _held = [];
    private int _accepted;

    private BrokenMirror(bool reset, bool silent = false)
    {
        _reset = reset;
        _silent = silent;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 512);
        _loop = Task.Run(AcceptLoopAsync);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Accepted => Volatile.Read(ref _accepted);

    public static BrokenMirror Resetting() => new(reset: true);

    public static BrokenMirror Closing() => new(reset: false);

    public static BrokenMirror Silent() => new(reset: false, silent: true);

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                if (_silent)
                {
                    // Keep a small receive buffer and never read: the sender's writes stall.
                    socket.ReceiveBufferSize = 4096;
                    lock (_held)
                    {
                        _held.Add(socket);
                    }

                    continue;
                }

                _ = Task.Run(() => MisbehaveAsync(socket));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private async Task MisbehaveAsync(Socket socket)
    {
        using (socket)
        {
            try
            {
                var scratch = new byte[4096];
                using var readTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await socket.ReceiveAsync(scratch, SocketFlags.None, readTimeout.Token);
                if (_reset)
                {
                    // Linger 0 makes Close send RST instead of FIN.
                    socket.LingerState = new LingerOption(true, 0);
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
            }
            catch (Exception)
            {
                // The gateway may give up first; nothing to do.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_held)
        {
            _held.ForEach(s => s.Dispose());
        }

        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}

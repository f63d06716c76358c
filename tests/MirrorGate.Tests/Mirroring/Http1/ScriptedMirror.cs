using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>One request as the scripted mirror read it off a connection.</summary>
/// <param name="Connection">The connection's number, in the order the mirror accepted them (0 first).</param>
/// <param name="Sequence">Its place among the requests of that connection (0 first).</param>
/// <param name="UnansweredBefore">
/// Earlier requests on the same connection the mirror had not answered yet when this one was read:
/// above 0 only when the client pipelined it.
/// </param>
internal sealed record ReceivedRequest(
    int Connection,
    int Sequence,
    string Method,
    string Target,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    int UnansweredBefore);

/// <summary>
/// A raw TCP mirror on 127.0.0.1 whose every connection runs a script the test writes: read
/// requests (as they arrive, several at once when pipelined), answer them with any bytes, close.
/// It records each request with the connection it came on and how many answers it was waiting for.
/// </summary>
internal sealed class ScriptedMirror : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<MirrorSide, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly ConcurrentQueue<Exception> _failures = new();
    private readonly List<MirrorSide> _connections = [];
    private readonly List<Task> _scripts = [];
    private readonly ChangeSignal _changed = new();
    private readonly Task _acceptLoop;

    public ScriptedMirror(Func<MirrorSide, Task> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(backlog: 512);
        Origin = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The mirror's origin as a copy names it, e.g. http://127.0.0.1:40123.</summary>
    public string Origin { get; }

    /// <summary>Every request read, on any connection, in the order they were read.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => _requests.ToArray();

    /// <summary>Connections accepted so far.</summary>
    public int ConnectionCount
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Exceptions a script threw (other than its connection going away).</summary>
    public IReadOnlyList<Exception> Failures => _failures.ToArray();

    /// <summary>A script that answers every request with <paramref name="answer"/>, each batch of pipelined requests in one write.</summary>
    public static Func<MirrorSide, Task> AnswerEach(string answer) => async side =>
    {
        while (await side.ReadBatchAsync() is { Count: > 0 } batch)
        {
            await side.AnswerAsync([.. batch.Select(_ => answer)]);
        }
    };

    public const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    /// <summary>An answer that says the mirror closes the connection after it.</summary>
    public const string OkThenClose = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";

    /// <summary>Runs <paramref name="first"/> on the first connection and <paramref name="others"/> (every request answered 200) on the rest.</summary>
    public static Func<MirrorSide, Task> FirstConnection(Func<MirrorSide, Task> first, Func<MirrorSide, Task>? others = null)
        => side => side.Index == 0 ? first(side) : (others ?? AnswerEach(Ok))(side);

    /// <summary>The requests whose target is <paramref name="target"/>, in the order read.</summary>
    public ReceivedRequest[] Arrivals(string target) => [.. Requests.Where(r => r.Target == target)];

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds for what the mirror has seen.</summary>
    public Task WaitUntilAsync(Func<ScriptedMirror, bool> condition, string what, TimeSpan? timeout = null)
        => _changed.WaitUntilAsync(() => condition(this), () => $"the mirror never saw {what}; it read: {Describe()}", timeout);

    /// <summary>What was read, for failure messages: connection/target per request.</summary>
    public string Describe() => string.Join(", ", Requests.Select(r => $"c{r.Connection}:{r.Method} {r.Target}"));

    internal void Record(ReceivedRequest request)
    {
        _requests.Enqueue(request);
        _changed.Changed();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                socket.NoDelay = true;
                MirrorSide side;
                lock (_connections)
                {
                    side = new MirrorSide(this, socket, _connections.Count, _stop.Token);
                    _connections.Add(side);
                    _scripts.Add(Task.Run(() => RunAsync(side)));
                }

                _changed.Changed();
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _failures.Enqueue(ex);
        }
    }

    private async Task RunAsync(MirrorSide side)
    {
        try
        {
            await _script(side);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or IOException)
        {
            // The gateway closed the connection while the script wrote to it.
        }
        catch (Exception ex)
        {
            _failures.Enqueue(ex);
        }
        finally
        {
            side.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Task[] scripts;
        lock (_connections)
        {
            _connections.ForEach(c => c.Close());
            scripts = [.. _scripts];
        }

        try
        {
            await Task.WhenAll([_acceptLoop, .. scripts]).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }
}

/// <summary>The mirror's end of one connection, as a script sees it.</summary>
internal sealed class MirrorSide
{
    private readonly ScriptedMirror _mirror;
    private readonly Socket _socket;
    private readonly CancellationToken _stop;
    private readonly ReceiveBuffer _input;
    private int _received;
    private int _closed;

    public MirrorSide(ScriptedMirror mirror, Socket socket, int index, CancellationToken stop)
    {
        _mirror = mirror;
        _socket = socket;
        _input = new ReceiveBuffer(socket);
        Index = index;
        _stop = stop;
    }

    /// <summary>The connection's number, in accept order (0 first).</summary>
    public int Index { get; }

    /// <summary>Answers written on this connection so far.</summary>
    public int Answered { get; private set; }

    /// <summary>Requests read on this connection so far.</summary>
    public int Received => _received;

    /// <summary>
    /// Waits for at least one whole request and returns every whole request read by then (more
    /// than one when they were pipelined); empty when the client closed the connection.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedRequest>> ReadBatchAsync()
    {
        var batch = new List<ReceivedRequest>();
        while (true)
        {
            while (TryParse() is { } request)
            {
                batch.Add(request);
            }

            if (batch.Count > 0)
            {
                return batch;
            }

            if (!await _input.ReceiveAsync(_stop))
            {
                return batch;
            }
        }
    }

    /// <summary>Reads until at least <paramref name="count"/> requests arrived (fewer if the client closed).</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> ReadAtLeastAsync(int count)
    {
        var all = new List<ReceivedRequest>();
        while (all.Count < count)
        {
            var batch = await ReadBatchAsync();
            if (batch.Count == 0)
            {
                break;
            }

            all.AddRange(batch);
        }

        return all;
    }

    /// <summary>Writes <paramref name="answers"/> in one write; each counts as one answer.</summary>
    public async Task AnswerAsync(params string[] answers)
    {
        Answered += answers.Length;
        await SendAsync(Encoding.Latin1.GetBytes(string.Concat(answers)));
    }

    /// <summary>Writes raw bytes (no answer counted).</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, _stop);
            bytes = bytes[sent..];
        }
    }

    /// <summary>Counts answers written with <see cref="SendAsync"/> in pieces.</summary>
    public void CountAnswers(int count) => Answered += count;

    /// <summary>Never reads again (so the client's writes stall once the socket buffers are full) until the mirror is disposed.</summary>
    public async Task HoldAsync()
    {
        _socket.ReceiveBufferSize = 4096;
        await Task.Delay(Timeout.Infinite, _stop);
    }

    /// <summary>
    /// Closes as a real server does after an answer that said <c>Connection: close</c>: sends a
    /// FIN, then reads and discards whatever the client still sends until it closes too
    /// (nginx's lingering close). Closing at once with unread bytes would send a reset, which can
    /// destroy the answer before the client reads it.
    /// </summary>
    public async Task LingeringCloseAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            while (await _input.ReceiveAsync(_stop))
            {
                _input.Consume(_input.Data.Length);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        Close();
    }

    /// <summary>
    /// Sends a FIN and keeps reading: the client sees the connection end, and whatever it still
    /// writes is read, and recorded when it is a whole request (see <see cref="Unparsed"/> for the rest).
    /// </summary>
    public void HalfClose() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Bytes read but not (yet) part of a whole request: after the client closed, a request it had begun to write.</summary>
    public int Unparsed => _input.Data.Length;

    /// <summary>
    /// Reads one request head and leaves its body unread: a script can answer before reading the
    /// body, as nginx's <c>return 200</c> does. Null when the client closed the connection first.
    /// </summary>
    public async Task<RequestHead?> ReadHeadAsync()
    {
        while (true)
        {
            if (TryParseHead(out var headLength) is { } head)
            {
                _input.Consume(headLength);
                return head;
            }

            if (!await _input.ReceiveAsync(_stop))
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Reads the body of the request whose head <see cref="ReadHeadAsync"/> returned, or its first
    /// <paramref name="upTo"/> bytes, and records the request with what was read. Fewer bytes
    /// when the client closed the connection first.
    /// </summary>
    public async Task<ReceivedRequest> ReadBodyAsync(RequestHead head, int? upTo = null)
        => Record(head, await ReadBytesAsync(Math.Min(head.ContentLength, upTo ?? int.MaxValue)));

    /// <summary>Reads <paramref name="count"/> bytes (fewer when the client closed the connection first) without recording anything.</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        var bytes = new byte[count];
        var read = 0;
        while (read < count)
        {
            if (_input.IsEmpty && !await _input.ReceiveAsync(_stop))
            {
                break;
            }

            var n = Math.Min(_input.Data.Length, count - read);
            _input.Data[..n].CopyTo(bytes.AsSpan(read));
            _input.Consume(n);
            read += n;
        }

        return bytes[..read];
    }

    /// <summary>Records one request read in pieces (a head, then its body).</summary>
    public ReceivedRequest Record(RequestHead head, byte[] body)
    {
        var request = new ReceivedRequest(Index, _received, head.Method, head.Target, head.Headers, body, _received - Answered);
        _received++;
        _mirror.Record(request);
        return request;
    }

    /// <summary>Closes the connection with a FIN (every byte read so far stays read).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
        }

        _socket.Dispose();
    }

    /// <summary>One whole request off the front of the buffer (head and Content-Length body), or null.</summary>
    private ReceivedRequest? TryParse()
    {
        if (TryParseHead(out var headLength) is not { } head || _input.Data.Length < headLength + head.ContentLength)
        {
            return null;
        }

        var body = _input.Data.Slice(headLength, head.ContentLength).ToArray();
        _input.Consume(headLength + head.ContentLength);
        return Record(head, body);
    }

    /// <summary>The request head at the front of the buffer (not consumed), or null while it is incomplete.</summary>
    private RequestHead? TryParseHead(out int headLength)
    {
        var data = _input.Data;
        var headEnd = data.IndexOf("\r\n\r\n"u8);
        headLength = headEnd + 4;
        if (headEnd < 0)
        {
            return null;
        }

        var lines = Encoding.Latin1.GetString(data[..headEnd]).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[2] != "HTTP/1.1")
        {
            throw new InvalidDataException($"not an HTTP/1.1 request line: {lines[0]}");
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0 || !headers.TryAdd(line[..colon], line[(colon + 1)..].Trim()))
            {
                throw new InvalidDataException($"bad or repeated header line: {line}");
            }
        }

        var length = headers.TryGetValue("Content-Length", out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return new RequestHead(requestLine[0], requestLine[1], headers, length);
    }
}

/// <summary>A request line and headers as the scripted mirror read them, before the body.</summary>
internal sealed record RequestHead(string Method, string Target, IReadOnlyDictionary<string, string> Headers, int ContentLength);

using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Mirroring.Http1;

/// <summary>
/// One keep-alive HTTP/1.1 connection to a mirror: a writer that sends every copy queued on it
/// in one write, and a reader that matches answers to copies in order and skips their bodies.
/// Queue state (<see cref="Pending"/>, <see cref="Outstanding"/>, flags) belongs to the lane's
/// lock; the streams are touched only by the one writer and the one reader. Timeouts are
/// enforced by the lane's sweep from the timestamps kept here, so no timer exists per copy.
/// </summary>
/// <remarks>
/// What happens to each copy is <see cref="MirrorCopy"/>'s business; this class only decides when:
/// a copy is marked written (under the lock, while the connection is open) just before its first
/// byte goes to the socket, and the writer holds its body until its last byte was written or the
/// write abandoned, so an early answer (nginx's <c>return 200</c> answers before reading a body)
/// settles the copy without freeing bytes still being written. When the connection closes, copies
/// never written go to another connection; written ones fail, unless the mirror declined them.
/// </remarks>
internal sealed class MirrorConnection : IThreadPoolWorkItem
{
    private static readonly RemoteCertificateValidationCallback AcceptAnyCertificate = static (_, _, _, _) => true;

    // The hand-off of a flush that marked copies written: marked (under the lock), then writing
    // once the writer is past the last point a close can still take the marks back.
    private const int NoHandOff = 0;
    private const int HandOffMarked = 1;
    private const int HandOffWriting = 2;
    private const int HandOffCancelled = 3;

    private readonly Http1MirrorLane _lane;
    private readonly Http1ResponseParser _parser = new();
    private readonly List<MirrorCopy> _batch = []; // the writer's pass: each copy's body held by the writer
    private int _marked; // copies of the batch marked written
    private int _handOff; // NoHandOff, HandOffMarked, HandOffWriting or HandOffCancelled
    private int _handOffFrom; // the first copy of the batch the marked flush marked
    private Socket? _socket;
    private Stream? _stream;
    private byte[]? _sendBuffer; // owned by the writer
    private long _lastProgress;
    private long _writeStartedAt;
    private long _sendTimeoutTicks;
    private long _readTimeoutTicks;

    public MirrorConnection(Http1MirrorLane lane, bool verifyTls, long now)
    {
        _lane = lane;
        VerifyTls = verifyTls;
        LastUsed = now;
    }

    private enum ConnectionState
    {
        Connecting,
        Open,

        /// <summary>The mirror said it closes after its last answer: nothing more is written here.</summary>
        Closing,
        Closed,
    }

    // ---- guarded by the lane's lock ----

    /// <summary>Copies assigned to this connection, not written yet.</summary>
    public Queue<MirrorCopy> Pending { get; } = new();

    /// <summary>
    /// Copies taken by the writer, in the order their answers will come: the first ones marked
    /// written, the rest about to be (a close puts those on another connection).
    /// </summary>
    public Queue<MirrorCopy> Outstanding { get; } = new();

    public long LastUsed { get; set; }

    public bool VerifyTls { get; }

    private ConnectionState State { get; set; }

    private bool Writing { get; set; }

    /// <summary>Since when the oldest unanswered copy has waited (reset by every answer).</summary>
    private long WaitingSince { get; set; }

    /// <summary>Whether any answer was read here: a connection that answered did work, so its close charges no copy.</summary>
    private bool AnsweredAny { get; set; }

    /// <summary>How long the last answer took from its write; unknown (max) until the first one.</summary>
    private long LastAnswerTicks { get; set; } = long.MaxValue;

    private int Load => Pending.Count + Outstanding.Count;

    private MirrorLaneContext Context => _lane.Context;

    /// <summary>
    /// Whether a new copy may join this connection: an idle one takes any; a busy one only while
    /// there is room in the pipeline and the mirror has shown it answers promptly here (its last
    /// answer was quick and nothing has waited long since). A slow mirror thus gets one copy per
    /// connection, as without pipelining, and a fast one gets many copies per write.
    /// </summary>
    public bool Accepts(long now, ProxyMirrorSettings settings, long stallTicks)
    {
        if (State is ConnectionState.Closing or ConnectionState.Closed || VerifyTls != settings.VerifyTls)
        {
            return false;
        }

        return Load == 0
               || (Load < settings.PipelineDepth
                   && LastAnswerTicks < stallTicks
                   && (Outstanding.Count == 0 || now - WaitingSince < stallTicks));
    }

    /// <summary>True when the caller must start the writer (it was idle and the connection is open).</summary>
    public bool ClaimWriter()
    {
        if (State != ConnectionState.Open || Writing || Pending.Count == 0)
        {
            return false;
        }

        Writing = true;
        return true;
    }

    /// <summary>A reason to close this connection now (timeouts, idleness), or null.</summary>
    public (string Reason, string Error)? Check(long now, ProxyMirrorSettings settings, long idleTicks)
    {
        if (State != ConnectionState.Open)
        {
            // A connect has its own timeout.
            return null;
        }

        var writeStarted = Volatile.Read(ref _writeStartedAt);
        if (writeStarted != 0 && now - writeStarted > Volatile.Read(ref _sendTimeoutTicks))
        {
            return (MirrorReasons.Timeout, "writing to the mirror took longer than the send timeout");
        }

        if (Outstanding.Count > 0 && writeStarted == 0 && now - Volatile.Read(ref _lastProgress) > Volatile.Read(ref _readTimeoutTicks))
        {
            return (MirrorReasons.Timeout, "the mirror did not answer within the read timeout");
        }

        if (Load == 0 && (now - LastUsed > idleTicks || VerifyTls != settings.VerifyTls))
        {
            // Idle, or opened under a TLS setting that changed: nothing is lost by closing it.
            return (MirrorReasons.Error, "idle connection closed");
        }

        return null;
    }

    // ---- connecting ----

    public void Connect() => _ = ConnectAsync();

    private async Task ConnectAsync()
    {
        var settings = Context.Settings;
        using var timeout = new CancellationTokenSource(settings.ConnectTimeout);
        Stream stream;
        try
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Volatile.Write(ref _socket, socket);
            if (State == ConnectionState.Closed)
            {
                socket.Dispose();
                return;
            }

            EndPoint endPoint = IPAddress.TryParse(_lane.Host, out var address)
                ? new IPEndPoint(address, _lane.Port)
                : new DnsEndPoint(_lane.Host, _lane.Port);
            await socket.ConnectAsync(endPoint, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (_lane.UseTls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = address is null ? _lane.Host : "",
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                    RemoteCertificateValidationCallback = VerifyTls ? null : AcceptAnyCertificate,
                }, timeout.Token).ConfigureAwait(false);
                stream = tls;
            }
        }
        catch (Exception ex)
        {
            Volatile.Read(ref _socket)?.Dispose();

            // Refused or unresolved counts against the host's circuit when the copies fail; a TLS failure (reason error) does not.
            var reason = ConnectFailureReason(ex);
            var error = timeout.IsCancellationRequested && ex is OperationCanceledException
                ? $"connect timed out after {settings.ConnectTimeout.TotalMilliseconds:0} ms"
                : ex.Message;
            Close(reason, error, connectFailed: true);
            return;
        }

        bool write;
        lock (_lane.Sync)
        {
            if (State == ConnectionState.Closed)
            {
                stream.Dispose();
                return;
            }

            _stream = stream;
            State = ConnectionState.Open;
            Volatile.Write(ref _lastProgress, Context.Time.GetTimestamp());
            write = ClaimWriter();
        }

        _ = ReadLoopAsync();
        if (write)
        {
            _ = WritePassAsync();
        }
    }

    private static string ConnectFailureReason(Exception ex) => ex switch
    {
        SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData } => MirrorReasons.Resolve,
        SocketException or OperationCanceledException => MirrorReasons.Connect,
        _ => MirrorReasons.Error,
    };

    // ---- writing ----

    /// <summary>
    /// Runs the writer from the thread pool's global queue, behind the work already waiting there
    /// (other requests being proxied): the copies those requests queue meanwhile join the same
    /// write. Counted once on the fast-mirror benchmark with temporary counters: about 10 copies
    /// per write this way, against 1.5 when the writer ran next on the current thread.
    /// </summary>
    public void ScheduleWrite() => ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);

    void IThreadPoolWorkItem.Execute() => _ = WritePassAsync();

    /// <summary>
    /// Writes what is pending in one go, then, if more arrived meanwhile, queues itself again
    /// behind the work waiting in the pool instead of writing at once: the copies other
    /// requests add in the meantime join that next write.
    /// </summary>
    private async Task WritePassAsync()
    {
        var writing = false;
        try
        {
            lock (_lane.Sync)
            {
                if (State != ConnectionState.Open || Pending.Count == 0)
                {
                    return;
                }

                var now = Context.Time.GetTimestamp();
                var settings = Context.Settings;
                if (Outstanding.Count == 0)
                {
                    WaitingSince = now;
                }

                // Timeouts of this write (and of waiting for its answers) are the ones in force now.
                Volatile.Write(ref _sendTimeoutTicks, Context.Ticks(settings.SendTimeout));
                Volatile.Write(ref _readTimeoutTicks, Context.Ticks(settings.ReadTimeout));
                Volatile.Write(ref _writeStartedAt, now);
                while (Pending.TryDequeue(out var copy))
                {
                    // The copy holds its body until it settles, and it cannot settle while queued
                    // on an open connection: the writer's hold is taken while the bytes are alive.
                    copy.Body?.Hold();
                    _batch.Add(copy);
                    Outstanding.Enqueue(copy);
                }
            }

            // A stopping node waits (within its drain) for this pass too: an early-answered copy is
            // settled while its body is still going out, and cutting it would leave the mirror a partial body.
            Context.Load.BeginWrite();
            writing = true;

            if (!await WriteBatchAsync().ConfigureAwait(false))
            {
                // The connection closed or is closing: its close settles the copies.
                return;
            }

            Volatile.Write(ref _lastProgress, Context.Time.GetTimestamp());
            Volatile.Write(ref _writeStartedAt, 0);
        }
        catch (Exception ex)
        {
            Close(MirrorReasons.Error, ex.Message);
        }
        finally
        {
            // Every byte of the pass was written or will never be: the writer lets go of the bodies.
            foreach (var copy in _batch)
            {
                copy.Body?.Release();
            }

            _batch.Clear();
            _marked = 0;
            if (_sendBuffer is { } buffer)
            {
                _sendBuffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }

            if (writing)
            {
                Context.Load.EndWrite();
            }
        }

        // Only now may another pass start (here, or by anyone who finds the writer idle): it uses
        // the batch, the marks and the send buffer this one has just put back, and a pass that
        // overlapped this cleanup would have its bodies' holds released and its send buffer
        // returned to the pool while it writes them.
        bool again;
        lock (_lane.Sync)
        {
            again = State == ConnectionState.Open && Pending.Count > 0;
            Writing = again;
        }

        if (again)
        {
            ScheduleWrite();
        }
    }

    /// <summary>
    /// Writes the batch: heads and small bodies gathered into the buffer, large bodies from their
    /// own chunks. False when the connection stopped taking writes before every copy was written.
    /// </summary>
    private async ValueTask<bool> WriteBatchAsync()
    {
        var buffer = _sendBuffer ??= ArrayPool<byte>.Shared.Rent(16 * 1024);
        var used = 0;
        for (var i = 0; i < _batch.Count; i++)
        {
            var request = _batch[i].Request;
            var max = Http1RequestHead.MaxLength(request);
            if (max > buffer.Length - used)
            {
                if (used > 0)
                {
                    if (!await FlushAsync(buffer.AsMemory(0, used), writtenThrough: i).ConfigureAwait(false))
                    {
                        return false;
                    }

                    used = 0;
                }

                if (max > buffer.Length)
                {
                    // The field always holds the one rented buffer, so the writer's finally returns it exactly once.
                    _sendBuffer = null;
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = _sendBuffer = ArrayPool<byte>.Shared.Rent(max);
                }
            }

            used += Http1RequestHead.Write(request, buffer.AsSpan(used));
            if (request.Body is not { Length: > 0 } body)
            {
                continue;
            }

            if (body.Length <= buffer.Length - used)
            {
                body.CopyTo(buffer.AsSpan(used));
                used += (int)body.Length;
                continue;
            }

            if (!await FlushAsync(buffer.AsMemory(0, used), writtenThrough: i + 1).ConfigureAwait(false))
            {
                return false;
            }

            used = 0;
            for (var s = 0; s < body.SegmentCount; s++)
            {
                await _stream!.WriteAsync(body.Segment(s)).ConfigureAwait(false);
            }
        }

        return used == 0 || await FlushAsync(buffer.AsMemory(0, used), writtenThrough: _batch.Count).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/>, which hold the beginning of every copy of the batch before
    /// <paramref name="writtenThrough"/>: those are marked written first, under the lock and only
    /// while the connection is open (not closing), so a close that comes first finds them
    /// unwritten and free to go elsewhere, and one that comes after knows they may have arrived.
    /// Between the marks and the write, a close can still take the marks back (the hand-off):
    /// once the writer is past it, the bytes go to the socket and the copies count as written;
    /// before, the close disposed the stream, not a byte of them left, and they go elsewhere.
    /// </summary>
    private async ValueTask<bool> FlushAsync(ReadOnlyMemory<byte> bytes, int writtenThrough)
    {
        var handing = false;
        if (writtenThrough > _marked)
        {
            lock (_lane.Sync)
            {
                if (State != ConnectionState.Open)
                {
                    return false;
                }

                var now = Context.Time.GetTimestamp();
                _handOffFrom = _marked;
                for (; _marked < writtenThrough; _marked++)
                {
                    if (!_batch[_marked].MarkWritten(now))
                    {
                        // Settled meanwhile: only a stopping node does that, and it closes the connection too.
                        return false;
                    }
                }

                Volatile.Write(ref _handOff, HandOffMarked);
                handing = true;
            }

            if (Interlocked.CompareExchange(ref _handOff, HandOffWriting, HandOffMarked) != HandOffMarked)
            {
                // A close came between the marks and the write: it took them back.
                return false;
            }
        }

        await _stream!.WriteAsync(bytes).ConfigureAwait(false);
        if (handing)
        {
            // A write that throws leaves the hand-off at writing: its copies may have gone out in part.
            Volatile.Write(ref _handOff, NoHandOff);
        }

        return true;
    }

    /// <summary>
    /// Under the lock, by a closing connection: the copies of a flush marked written but not yet
    /// handed to the socket are taken back (unmarked), so they go elsewhere.
    /// </summary>
    private void TakeBackUnsentMarks()
    {
        if (Volatile.Read(ref _handOff) != HandOffMarked)
        {
            return;
        }

        // Read before the hand-off is cancelled: the writer lets go of its batch only after it
        // sees the cancellation, and cannot start another flush while the lock is held.
        var unsent = _batch.GetRange(_handOffFrom, _marked - _handOffFrom);
        if (Interlocked.CompareExchange(ref _handOff, HandOffCancelled, HandOffMarked) != HandOffMarked)
        {
            return;
        }

        foreach (var copy in unsent)
        {
            copy.Unmark();
        }
    }

    // ---- reading ----

    private async Task ReadLoopAsync()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var start = 0;
        var end = 0;
        MirrorCopy? current = null;
        var answerBytes = 0L;
        try
        {
            var stream = _stream!;
            while (true)
            {
                if (end == buffer.Length)
                {
                    buffer = MakeRoom(buffer, ref start, ref end);
                }

                var read = await stream.ReadAsync(buffer.AsMemory(end)).ConfigureAwait(false);
                if (read == 0)
                {
                    OnEndOfStream(current);
                    return;
                }

                Volatile.Write(ref _lastProgress, Context.Time.GetTimestamp());
                end += read;
                while (start < end)
                {
                    if (current is null)
                    {
                        current = PeekOutstanding();
                        if (current is null)
                        {
                            // Bytes nobody asked for (say, a 408 before an idle close): no copy was written
                            // that could be answered, so the ones about to be go elsewhere.
                            Close(MirrorReasons.Error, "the mirror sent an unrequested answer");
                            return;
                        }

                        ResetParser(current);
                        answerBytes = 0;
                    }

                    var result = _parser.Parse(buffer.AsSpan(start, end - start), out var consumed);
                    start += consumed;
                    answerBytes += consumed;
                    if (result == ResponseParse.Invalid)
                    {
                        Close(MirrorReasons.Error, "the mirror's answer is not valid HTTP/1.1");
                        return;
                    }

                    if (result == ResponseParse.NeedMoreData)
                    {
                        if (IsOverLong(answerBytes))
                        {
                            // Counted by its status; the copies behind it may have arrived, so they fail with the connection.
                            var (answer, unkept) = CutAnswer();
                            Answered(current, _parser.StatusCode, keepAlive: false, answer, unkept);
                            Close(MirrorReasons.Error, "an earlier answer on the connection was longer than 1 MiB");
                            return;
                        }

                        break;
                    }

                    var keepAlive = _parser.KeepAlive;
                    current = Answered(current, _parser.StatusCode, keepAlive, _parser.TakeAnswer());
                    if (current is not null)
                    {
                        ResetParser(current);
                        answerBytes = 0;
                    }

                    if (!keepAlive)
                    {
                        // The mirror said it processes nothing more here: copies written behind the answer were declined.
                        Close(MirrorReasons.Error, "the mirror closed the connection", declined: true);
                        return;
                    }
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception ex)
        {
            Close(MirrorReasons.Error, ex.Message);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Readies the parser for <paramref name="copy"/>'s answer, with a capture when the answer is
    /// compared (the only allocation per answer, and only for those).
    /// </summary>
    private void ResetParser(MirrorCopy copy)
    {
        var sink = copy.Request.AnswerSink;
        _parser.Reset(headRequest: copy.Request.Method == HttpMethod.Head, sink is null ? null : new ResponseCapture(sink.MaxBodyBytes));
    }

    /// <summary>
    /// Whether the answer being read is longer than the lane reads (<see cref="IMirrorLane.MaxAnswerBytes"/>).
    /// A compared answer is read on until its kept prefix is complete (the prefix is at most
    /// 1 MiB and the head 64 KiB), but never beyond four times the limit: chunk framing around
    /// tiny chunks must not make the prefix an excuse for reading without end.
    /// </summary>
    private bool IsOverLong(long answerBytes)
    {
        if (answerBytes <= IMirrorLane.MaxAnswerBytes || _parser.StatusCode == 0)
        {
            return false;
        }

        return _parser.Capture is not { } capture || capture.BodyPrefixFull || answerBytes > 4L * IMirrorLane.MaxAnswerBytes;
    }

    /// <summary>
    /// What a compared copy's sink gets when its answer is cut for length: the kept prefix with the
    /// length the answer announced (Content-Length), or no answer when the length is unknown
    /// (chunked, or until close): a comparison cannot say whether two such bodies are alike.
    /// </summary>
    private (CapturedResponse? Answer, string Unkept) CutAnswer()
    {
        if (_parser.Capture is not { } capture || _parser.RemainingFixedBody is not { } remaining)
        {
            return (null, MirrorReasons.BodyTooLarge);
        }

        return (_parser.TakeAnswer(capture.BodyLength + remaining), MirrorReasons.BodyTooLarge);
    }

    /// <summary>Keeps the unparsed bytes: moves them to the front, or grows the buffer for a long header block.</summary>
    private static byte[] MakeRoom(byte[] buffer, ref int start, ref int end)
    {
        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            end -= start;
            start = 0;
            return buffer;
        }

        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, end).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    private void OnEndOfStream(MirrorCopy? current)
    {
        if (current is not null && _parser.CompleteAtEndOfStream())
        {
            // An answer without a length ends where the connection does.
            Answered(current, _parser.StatusCode, keepAlive: false, _parser.TakeAnswer());
        }

        // Closed without a word about the copies written after the last answer: the mirror may
        // have processed them, so they fail rather than risk arriving twice.
        Close(MirrorReasons.Error, "the mirror closed the connection before answering");
    }

    /// <summary>The oldest unanswered copy, if it was written: an answer can only be for that one.</summary>
    private MirrorCopy? PeekOutstanding()
    {
        lock (_lane.Sync)
        {
            return Outstanding.TryPeek(out var copy) && copy.IsWritten ? copy : null;
        }
    }

    /// <summary>
    /// Settles an answered copy; returns the next unanswered written one (taken under the same
    /// lock), if any. An answer that closes the connection stops the writer and takes no waiting copies.
    /// </summary>
    private MirrorCopy? Answered(MirrorCopy copy, int status, bool keepAlive, CapturedResponse? answer, string unkept = MirrorReasons.Error)
    {
        bool write;
        MirrorCopy? next;
        long now;
        lock (_lane.Sync)
        {
            Outstanding.Dequeue();
            AnsweredAny = true;
            now = Context.Time.GetTimestamp();
            LastAnswerTicks = now - copy.WrittenAt;
            WaitingSince = now;
            LastUsed = now;
            if (!keepAlive && State == ConnectionState.Open)
            {
                State = ConnectionState.Closing;
            }

            write = keepAlive && _lane.MoveWaitingTo(this, now);
            next = Outstanding.TryPeek(out var waiting) && waiting.IsWritten ? waiting : null;
        }

        // An early answer (before the body was all written) is an answer: the writer still holds the body.
        copy.Answered(status, now, answer, unkept);
        if (write)
        {
            ScheduleWrite();
        }

        return next;
    }

    // ---- closing ----

    /// <summary>Closes the connection from outside (timeouts, idleness, shutdown).</summary>
    public void Abort(string reason, string error) => Close(reason, error);

    /// <summary>
    /// Closes once and settles every copy on the connection: copies never written go to another
    /// connection (they fail when the connect failed); written ones fail with
    /// <paramref name="reason"/>, unless the mirror <paramref name="declined"/> them by closing
    /// after an answer that said so: those are sent again (up to <see cref="MirrorCopy.MaxAttempts"/> writes).
    /// </summary>
    private void Close(string reason, string error, bool declined = false, bool connectFailed = false)
    {
        MirrorCopy[] copies;
        bool fruitless;
        lock (_lane.Sync)
        {
            if (State == ConnectionState.Closed)
            {
                return;
            }

            State = ConnectionState.Closed;
            _lane.Remove(this);
            TakeBackUnsentMarks();
            copies = [.. Outstanding, .. Pending];
            Pending.Clear();
            Outstanding.Clear();

            // Nothing written (an answered copy left Outstanding, a written one is still in it) and
            // nothing answered: the mirror closed or talked first, before any work was done here.
            fruitless = !AnsweredAny && !Array.Exists(copies, static c => c.IsWritten);
        }

        try
        {
            if (_stream is { } stream)
            {
                stream.Dispose();
            }
            else
            {
                Volatile.Read(ref _socket)?.Dispose();
            }
        }
        catch (Exception)
        {
            // Disposing a broken TLS stream may throw; the connection is gone either way.
        }

        var again = new List<MirrorCopy>(copies.Length);
        foreach (var copy in copies)
        {
            if (copy.IsWritten)
            {
                if (declined && copy.Decline())
                {
                    again.Add(copy);
                }
                else
                {
                    copy.Fail(reason, declined ? $"{error} (the mirror declined the copy on {copy.Writes} connections; it is not written again)" : error);
                }
            }
            else if (connectFailed)
            {
                // The connection this copy waited for could not be opened: the mirror is unreachable now.
                copy.Fail(reason, error);
            }
            else
            {
                if (fruitless)
                {
                    copy.FruitlessConnections++;
                }

                again.Add(copy);
            }
        }

        _lane.Resubmit(again, reason, error);
    }
}

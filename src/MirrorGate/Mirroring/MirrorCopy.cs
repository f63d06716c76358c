using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Mirroring;

/// <summary>
/// One mirror copy from the moment the dispatcher accepts it until its outcome is counted: the
/// one place that says what happens to a copy. Its life is
/// <code>
///   new ──TryEnterQueue──▶ queued ──MarkWritten──▶ written ──Answered──▶ settled (sent{status})
///    │                      │  ▲                    │   │
///    │                      │  └─ Decline, Unmark ◀─┘   └──Fail──▶ settled (failed{reason})
///    └──Drop──▶ settled     ├──Fail──▶ settled (failed{reason}: it never got a connection)
///                           └──Drop──▶ settled (dropped{reason})
/// </code>
/// and every move out of <c>new</c>, <c>queued</c> or <c>written</c> happens once: settling is
/// idempotent, so whichever of the writer, the reader, a timeout or a stopping node gets there
/// first counts the copy and the others do nothing. Settling does everything an outcome needs:
/// the queue and in-flight accounting, the metric, the rate-limited failure log, the report to
/// the mirror host's circuit, letting go of the body (which returns to the pool once a writer
/// still sending it lets go too: see <see cref="MirrorBodyBuffer"/>), and, last, telling the
/// copy's <see cref="MirrorRequest.AnswerSink"/> (if it has one) what came of it. Since only
/// settling tells the sink, it hears of a copy exactly once, on its final outcome: a declined
/// copy sent again is told about the second send.
/// </summary>
/// <remarks>
/// When a copy may be sent again: only when the mirror cannot have processed it, that is when
/// none of its bytes were handed to a connection (<see cref="CanRequeue"/> for a queued copy, or
/// <see cref="Unmark"/> when a close came between marking it written and handing its bytes
/// over), or the mirror said it would not process it (an earlier answer on its connection carried
/// <c>Connection: close</c>: <see cref="Decline"/>). A copy lost after it was written (the
/// connection ended or timed out without its answer) fails: a mirrored POST must never reach a
/// mirror twice. Being queued on a connection is not being written: a copy that never was goes to
/// another connection however many closed under it, unless they closed without writing anything
/// at all (see <see cref="FruitlessConnections"/>).
/// </remarks>
internal sealed class MirrorCopy
{
    /// <summary>
    /// Writes of one copy (each earlier one declined by the mirror), and connections that closed
    /// without writing anything at all that one copy may wait on, before it fails.
    /// </summary>
    public const int MaxAttempts = 3;

    private const int New = 0;
    private const int Queued = 1;
    private const int Written = 2;
    private const int Settled = 3;

    private readonly MirrorLaneContext _context;
    private int _stage = New;

    public MirrorCopy(MirrorRequest request, MirrorLaneContext context)
    {
        Request = request;
        _context = context;
    }

    public MirrorRequest Request { get; }

    /// <summary>The body (held by the copy until it settles), or null.</summary>
    public MirrorBodyBuffer? Body => Request.Body;

    /// <summary>When the copy was handed to a connection (a timestamp), for the duration histogram and stall detection.</summary>
    public long WrittenAt { get; private set; }

    /// <summary>
    /// Times the copy was marked written (see <see cref="MaxAttempts"/>): under the lane's lock, or
    /// by the one connection closing with it, so never concurrently.
    /// </summary>
    public int Writes { get; private set; }

    /// <summary>
    /// Connections the copy waited on that closed before writing a byte of any copy and without
    /// answering any (a mirror that closes or talks first on every connection): bounded by
    /// <see cref="MaxAttempts"/> so such a mirror cannot keep a copy going round for ever, while
    /// a connection that did work (wrote or answered something) never counts against the copies
    /// it had not written yet. Counted by the closing connection.
    /// </summary>
    public int FruitlessConnections { get; set; }

    /// <summary>True once any byte of the copy may have reached a mirror.</summary>
    public bool IsWritten => Volatile.Read(ref _stage) == Written;

    public bool IsSettled => Volatile.Read(ref _stage) == Settled;

    // ---- moves ----

    /// <summary>Counts the copy as queued unless <paramref name="limit"/> copies are queued already (then it is left new).</summary>
    public bool TryEnterQueue(int limit)
    {
        if (!_context.Load.TryQueue(limit))
        {
            return false;
        }

        Volatile.Write(ref _stage, Queued);
        return true;
    }

    /// <summary>
    /// The copy's bytes are about to be handed to a connection: from now on the mirror may
    /// process it, so it is never sent again unless the mirror declines it (or a close takes the
    /// mark back before the write begins: <see cref="Unmark"/>). False when it had
    /// settled already (a stopping node dropped it).
    /// </summary>
    public bool MarkWritten(long now)
    {
        if (Interlocked.CompareExchange(ref _stage, Written, Queued) != Queued)
        {
            return false;
        }

        WrittenAt = now;
        Writes++;
        _context.Load.Sent();
        return true;
    }

    /// <summary>
    /// The copy was marked written, but its connection closed before any of its bytes were handed
    /// to the socket: it is queued again, as if never marked.
    /// </summary>
    public void Unmark()
    {
        if (Interlocked.CompareExchange(ref _stage, Queued, Written) != Written)
        {
            return;
        }

        Writes--;
        _context.Load.Requeue();
    }

    /// <summary>
    /// The mirror said it will not process the written copy (it closed the connection after an
    /// earlier answer that said so): the copy goes back to the queue. False when it was written
    /// <see cref="MaxAttempts"/> times already (it is then failed), or settled.
    /// </summary>
    public bool Decline()
    {
        if (Writes >= MaxAttempts)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _stage, Queued, Written) != Written)
        {
            return false;
        }

        _context.Load.Requeue();
        return true;
    }

    /// <summary>
    /// Whether a copy coming back from a closed connection may be put on another: never written
    /// (or declined), and fewer than <see cref="MaxAttempts"/> fruitless connections tried.
    /// </summary>
    public bool CanRequeue => Volatile.Read(ref _stage) == Queued && FruitlessConnections < MaxAttempts;

    // ---- outcomes: each settles the copy once ----

    /// <summary>
    /// The mirror answered with <paramref name="status"/>: counted sent by its class. A compared
    /// copy's sink gets <paramref name="answer"/>, or, when the lane could not keep it, no answer
    /// with <paramref name="unkept"/> as the reason.
    /// </summary>
    public void Answered(int status, long now, CapturedResponse? answer = null, string unkept = MirrorReasons.Error)
    {
        if (!TrySettle(out var left))
        {
            return;
        }

        Request.Circuit?.OnConnected();
        Request.Metrics.OnSent(status, left == Written ? _context.Time.GetElapsedTime(WrittenAt, now) : TimeSpan.Zero);
        Body?.Release();
        TellSink(answer, unkept);
    }

    /// <summary>The copy did not reach the mirror, or its answer did not come back: counted failed, logged at a bounded rate.</summary>
    public void Fail(string reason, string error)
    {
        if (!TrySettle(out var left))
        {
            return;
        }

        Request.Metrics.OnFailed(reason, left == Written ? _context.Time.GetElapsedTime(WrittenAt) : TimeSpan.Zero);
        Body?.Release();
        switch (reason)
        {
            case MirrorReasons.Shutdown:
                // Written, then abandoned by a stopping node: nothing about the mirror to report.
                TellSink(null, reason);
                return;
            case MirrorReasons.Connect or MirrorReasons.Resolve:
                Request.Circuit?.OnConnectFailed();
                break;
            default:
                if (left != New)
                {
                    // Reset, timeout, TLS or protocol error: the host was reached. (A copy failed
                    // before it went to a lane says nothing about the host.)
                    Request.Circuit?.OnConnected();
                }

                break;
        }

        _context.Failures.Failed(Request, reason, error);
        TellSink(null, reason);
    }

    /// <summary>The copy was never written and never will be: counted dropped.</summary>
    public void Drop(string reason)
    {
        if (!TrySettle(out _))
        {
            return;
        }

        Request.Metrics.OnDropped(reason);
        Body?.Release();
        TellSink(null, reason);
    }

    /// <summary>
    /// Hands the outcome to the comparison, after everything else settling does: a sink that
    /// throws costs its own comparison only, never the copy's accounting or the connection that
    /// is settling it (the error goes to the copy's rate-limited failure log).
    /// </summary>
    private void TellSink(CapturedResponse? answer, string reason)
    {
        if (Request.AnswerSink is not { } sink)
        {
            return;
        }

        try
        {
            if (answer is not null)
            {
                sink.OnAnswer(answer);
            }
            else
            {
                sink.OnNoAnswer(reason);
            }
        }
        catch (Exception ex)
        {
            _context.Failures.Failed(Request, MirrorReasons.Error, $"comparing the answer failed: {ex.Message}");
        }
    }

    /// <summary>Moves to settled once, doing the queue or in-flight accounting of the stage it <paramref name="left"/>.</summary>
    private bool TrySettle(out int left)
    {
        left = Volatile.Read(ref _stage);
        while (left != Settled)
        {
            var seen = Interlocked.CompareExchange(ref _stage, Settled, left);
            if (seen == left)
            {
                if (left == Queued)
                {
                    _context.Load.Unqueue(1);
                }
                else if (left == Written)
                {
                    _context.Load.Finished();
                }

                return true;
            }

            left = seen;
        }

        return false;
    }
}

using MirrorGate.Pipeline;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// The access log's part on the request path: format the finished request's line into a pooled
/// array and hand it to the writer's queue. No lock, no string per line, no wait; when the queue
/// is full the line is counted as dropped without being formatted.
/// </summary>
internal sealed class AccessLogObserver(AccessLogLineFormatter formatter, AccessLogWriter writer, IDisposable? reopenSignal) : ICompletedRequestObserver, IDisposable
{
    // Grows to the longest line seen, so long formats stop growing their array line after line.
    private int _lineCapacity = AccessLogLineFormatter.InitialLineCapacity;

    public AccessLogWriter Writer => writer;

    public bool NeedsByteCounts => formatter.NeedsByteCounts;

    public void OnCompleted(in CompletedRequest request)
    {
        if (writer.IsFull)
        {
            writer.CountDropped(1);
            return;
        }

        var line = new AccessLogLineBuilder(_lineCapacity, formatter.Escape);
        try
        {
            formatter.Format(ref line, request);
        }
        catch
        {
            line.Dispose();
            throw;
        }

        var (buffer, length) = line.Detach();
        if (length > _lineCapacity)
        {
            _lineCapacity = Math.Min(length, 64 * 1024);
        }

        writer.TryEnqueue(buffer, length);
    }

    /// <summary>Stops listening for SIGUSR1, then writes and flushes what is queued (the node is stopping).</summary>
    public void Dispose()
    {
        reopenSignal?.Dispose();
        writer.Dispose();
    }
}

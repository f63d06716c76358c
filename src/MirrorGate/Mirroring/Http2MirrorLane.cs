using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace MirrorGate.Mirroring;

/// <summary>
/// gRPC copies to one origin, sent over HTTP/2 by <see cref="MirrorSender"/> with at most
/// <c>concurrency</c> in flight. A sender that finishes takes the next waiting copy itself, so a
/// busy lane hands copies over without waking anything; a new sender is started (on this
/// thread's queue) only while fewer than the cap are running.
/// </summary>
internal sealed partial class Http2MirrorLane(MirrorSender sender, MirrorLaneContext context, ILogger logger) : IMirrorLane
{
    private readonly ConcurrentQueue<MirrorCopy> _waiting = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILogger _logger = logger;
    private int _running;

    public void Enqueue(MirrorCopy copy)
    {
        _waiting.Enqueue(copy);
        TryStartSender();
    }

    private void TryStartSender()
    {
        while (!_waiting.IsEmpty && !_stopping.IsCancellationRequested)
        {
            var running = Volatile.Read(ref _running);
            if (running >= context.Settings.Concurrency)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) == running)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static lane => _ = lane.SendWaitingAsync(), this, preferLocal: true);
                return;
            }
        }
    }

    private async Task SendWaitingAsync()
    {
        // One deadline source per sender, reset after each copy instead of a new linked source per copy.
        var timeout = new StrongBox<CancellationTokenSource>(new CancellationTokenSource());
        using var onStop = _stopping.Token.Register(CancelCurrent, timeout);
        try
        {
            while (!_stopping.IsCancellationRequested && _waiting.TryDequeue(out var copy))
            {
                try
                {
                    await sender.SendAsync(copy, timeout.Value!, _stopping.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The sender settles every expected outcome; anything reaching here is a bug,
                    // and still must not stop the lane or leave the copy unsettled.
                    LogSenderFailed(ex);
                    copy.Fail(MirrorReasons.Error, ex.Message);
                }

                if (!timeout.Value!.TryReset())
                {
                    // It fired (a copy timed out): a fired source cannot be reused.
                    var fired = timeout.Value;
                    timeout.Value = new CancellationTokenSource();
                    fired.Dispose();
                }
            }
        }
        finally
        {
            timeout.Value?.Dispose();
            Interlocked.Decrement(ref _running);

            // A copy queued just as this sender found the queue empty must not be stranded.
            TryStartSender();
        }
    }

    private static void CancelCurrent(object? box)
    {
        try
        {
            ((StrongBox<CancellationTokenSource>)box!).Value?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The sender just swapped in a fresh source; it checks the stopping token itself.
        }
    }

    public void Stop()
    {
        _stopping.Cancel();
        while (_waiting.TryDequeue(out var copy))
        {
            copy.Drop(MirrorReasons.Shutdown);
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Mirror sender failed unexpectedly; the lane keeps running")]
    private partial void LogSenderFailed(Exception exception);
}

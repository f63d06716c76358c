using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MirrorGate.Mirroring;

/// <summary>
/// Sends mirror requests off the request path: a bounded queue drained by a fixed number of
/// workers. Enqueueing never blocks; when the queue is full the mirror is dropped and counted.
/// </summary>
internal sealed partial class MirrorDispatcher : IAsyncDisposable
{
    private readonly Channel<MirrorRequest> _queue;
    private readonly MirrorSender _sender;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private readonly ILogger _logger;
    private int _inFlight;

    public MirrorDispatcher(MirrorSender sender, ProxyMirrorSettings settings, MirrorMetrics metrics, MirrorMemoryBudget budget, ILogger<MirrorDispatcher> logger)
    {
        _sender = sender;
        _logger = logger;
        Budget = budget;
        _queue = Channel.CreateBounded<MirrorRequest>(new BoundedChannelOptions(settings.QueueSize)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails fast when full; nothing ever waits
            SingleReader = false,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
        metrics.ObserveDispatcher(() => _queue.Reader.Count, () => Volatile.Read(ref _inFlight), () => budget.Used);
        _workers = new Task[settings.Concurrency];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Task.Run(WorkAsync);
        }
    }

    public MirrorMemoryBudget Budget { get; }

    public int QueueLength => _queue.Reader.Count;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Queues a finished mirror request; false (dropped and counted) when the queue is full.</summary>
    public bool TryEnqueue(MirrorRequest request)
    {
        if (_queue.Writer.TryWrite(request))
        {
            return true;
        }

        request.Body?.Release();
        request.Metrics.OnDropped(MirrorReasons.QueueFull);
        return false;
    }

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;

        // One deadline source per worker, reset after each send instead of a new linked source
        // per mirror: no allocation and no registration on the shared stopping token per request.
        var timeout = new StrongBox<CancellationTokenSource>(new CancellationTokenSource());
        using var onStop = _stopping.Token.Register(CancelCurrent, timeout);
        try
        {
            while (await reader.WaitToReadAsync(_stopping.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var request))
                {
                    Interlocked.Increment(ref _inFlight);
                    try
                    {
                        await _sender.SendAsync(request, timeout.Value!, _stopping.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex)
                    {
                        if (_stopping.IsCancellationRequested)
                        {
                            // Stopping cancels the send, which may surface as any exception type
                            // (a cancelled connect can be an HttpRequestException); none of them
                            // may fault the worker, or disposal would throw and leak queued bodies.
                            return;
                        }

                        // The sender counts every expected failure; anything reaching here is a bug,
                        // and still must not stop the worker.
                        LogWorkerFailed(ex);
                    }
                    finally
                    {
                        request.Body?.Release();
                        Interlocked.Decrement(ref _inFlight);
                    }

                    if (!timeout.Value!.TryReset())
                    {
                        // It fired (a mirror timed out): a fired source cannot be reused.
                        var fired = timeout.Value;
                        timeout.Value = new CancellationTokenSource();
                        fired.Dispose();
                        if (_stopping.IsCancellationRequested)
                        {
                            return;
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        finally
        {
            timeout.Value?.Dispose();
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
            // The worker just swapped in a fresh source; it checks the stopping token itself.
        }
    }

    /// <summary>
    /// Stops taking mirrors, lets the workers send what is queued for up to
    /// <see cref="ShutdownDrain"/>, then abandons the rest (counted as dropped, reason shutdown).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        var workers = Task.WhenAll(_workers);
        try
        {
            await workers.WaitAsync(ShutdownDrain).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }

        _stopping.Cancel();
        try
        {
            await workers.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        while (_queue.Reader.TryRead(out var request))
        {
            request.Body?.Release();
            request.Metrics.OnDropped(MirrorReasons.Shutdown);
        }

        _stopping.Dispose();
    }

    /// <summary>How long a stopping node keeps sending queued mirrors (the primaries have drained by then).</summary>
    public static readonly TimeSpan ShutdownDrain = TimeSpan.FromSeconds(3);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "Mirror worker failed unexpectedly; it keeps running")]
    private partial void LogWorkerFailed(Exception exception);
}

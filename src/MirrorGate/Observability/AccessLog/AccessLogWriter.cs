using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// Moves formatted lines to the disk (or stdout) from one dedicated thread, so no request ever
/// waits for a write. Requests hand over lines through a lock-free queue bounded in bytes; when
/// it is full (the disk or the reader of a pipe cannot keep up) the line is dropped and counted,
/// and a warning says so at most every <see cref="DropWarningInterval"/>. The thread writes
/// through a buffer of <c>access_log_buffer</c> bytes and flushes whenever the queue runs dry,
/// which is at least every <see cref="MaxFlushDelay"/> while lines keep coming, and once more
/// when the node stops. <see cref="RequestReopen"/> (SIGUSR1) closes the file and opens its path
/// again, so logrotate can move it away.
/// </summary>
internal sealed partial class AccessLogWriter : IDisposable
{
    /// <summary>The smallest queue, whatever <c>access_log_buffer</c> says.</summary>
    public const long MinQueueBytes = 64 * 1024;

    /// <summary>How many <c>access_log_buffer</c>s the queue holds (16 KiB → 4 MiB, about 20,000 lines).</summary>
    public const int QueueBuffers = 256;

    /// <summary>The queue's ceiling whatever <c>access_log_buffer</c> says: lines a stalled disk holds back live in memory.</summary>
    public const long MaxQueueBytes = 64L * 1024 * 1024;

    /// <summary>How long the thread sleeps when it found nothing to write: the latest a quiet line reaches the file.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest a busy writer goes without flushing its buffer.</summary>
    public static readonly TimeSpan MaxFlushDelay = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan DropWarningInterval = TimeSpan.FromSeconds(10);

    private static readonly List<TaskCompletionSource> NoWaiters = [];

    private readonly ConcurrentQueue<(byte[] Buffer, int Length)> _queue = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _flushWaiters = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly long _capacityBytes;
    private readonly AccessLogMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private readonly TimeSpan _stopTimeout;

    private long _queuedBytes;
    private long _droppedLines;
    private long _writtenLines;
    private int _reopenRequested;
    private volatile bool _stopping;
    private int _disposed;

    private long _reportedDrops;
    private long _lastDropWarning;

    // Used by the writer thread alone.
    private readonly AccessLogOutput _output;

    /// <summary>Opens the target at once, so a path that cannot be opened fails start-up.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public AccessLogWriter(string path, int bufferBytes, long capacityBytes, AccessLogMetrics metrics, TimeProvider time, ILogger logger, TimeSpan? stopTimeout = null)
    {
        Path = path;
        _capacityBytes = capacityBytes;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _stopTimeout = stopTimeout ?? TimeSpan.FromSeconds(5);
        _output = new AccessLogOutput(path, bufferBytes, time, logger);
        _lastDropWarning = long.MinValue;
        metrics.ObserveQueue(() => Volatile.Read(ref _queuedBytes));
        _thread = new Thread(Run)
        {
            // A writer stuck on a pipe nobody reads must not keep the process alive.
            IsBackground = true,
            Name = "MirrorGate access log",
        };
        _thread.Start();
    }

    /// <summary>The queue's size for an <c>access_log_buffer</c>.</summary>
    public static long QueueBytesFor(int accessLogBuffer) => Math.Clamp((long)QueueBuffers * accessLogBuffer, MinQueueBytes, MaxQueueBytes);

    public string Path { get; }

    public long CapacityBytes => _capacityBytes;

    public long DroppedLines => Volatile.Read(ref _droppedLines);

    public long WrittenLines => Volatile.Read(ref _writtenLines);

    public long QueuedBytes => Volatile.Read(ref _queuedBytes);

    /// <summary>True when a line of this size would be refused now: a formatter can skip the work.</summary>
    public bool IsFull => Volatile.Read(ref _queuedBytes) >= _capacityBytes;

    /// <summary>
    /// Takes ownership of <paramref name="buffer"/> (rented from the shared pool) when it returns
    /// true; when the queue is full the line is dropped, counted, and the buffer returned.
    /// Never blocks.
    /// </summary>
    public bool TryEnqueue(byte[] buffer, int length)
    {
        if (_stopping || Interlocked.Add(ref _queuedBytes, length) > _capacityBytes)
        {
            if (!_stopping)
            {
                Interlocked.Add(ref _queuedBytes, -length);
            }

            ArrayPool<byte>.Shared.Return(buffer);
            CountDropped(1);
            return false;
        }

        _queue.Enqueue((buffer, length));
        return true;
    }

    /// <summary>A line that was never formatted because the queue was full.</summary>
    public void CountDropped(long lines)
    {
        Interlocked.Add(ref _droppedLines, lines);
        _metrics.DroppedLines.Add(lines);
        ReportDrops(force: false);
    }

    /// <summary>Asks the thread to close the file and open its path again (SIGUSR1, after logrotate moved it).</summary>
    public void RequestReopen()
    {
        Volatile.Write(ref _reopenRequested, 1);
        _wake.Set();
    }

    /// <summary>Completes once every line queued before the call is written and flushed (tests; the reopen path).</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_thread.IsAlive)
        {
            done.SetResult();
            return done.Task;
        }

        _flushWaiters.Enqueue(done);
        _wake.Set();
        return done.Task;
    }

    /// <summary>Writes and flushes what is queued, closes the file; waits at most the stop timeout for a stuck disk.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        if (!_thread.Join(_stopTimeout))
        {
            LogStopTimedOut(_logger, Path, (long)_stopTimeout.TotalSeconds, Volatile.Read(ref _queuedBytes));
        }
    }

    private void Run()
    {
        while (true)
        {
            var stopping = _stopping;

            // Waiters taken before draining: every line they were queued after is in the queue now.
            var waiters = TakeWaiters();
            Drain();
            _output.Flush();
            if (Interlocked.Exchange(ref _reopenRequested, 0) == 1)
            {
                _output.Reopen();
            }

            foreach (var waiter in waiters)
            {
                waiter.TrySetResult();
            }

            ReportDrops(force: stopping);
            if (stopping)
            {
                break;
            }

            _wake.WaitOne(PollInterval);
        }

        Close();
        foreach (var waiter in TakeWaiters())
        {
            waiter.TrySetResult();
        }
    }

    private List<TaskCompletionSource> TakeWaiters()
    {
        if (_flushWaiters.IsEmpty)
        {
            return NoWaiters;
        }

        var waiters = new List<TaskCompletionSource>();
        while (_flushWaiters.TryDequeue(out var waiter))
        {
            waiters.Add(waiter);
        }

        return waiters;
    }

    private void Drain()
    {
        var started = Stopwatch.GetTimestamp();
        var count = 0;
        while (_queue.TryDequeue(out var line))
        {
            if (_output.Write(line.Buffer, line.Length))
            {
                Interlocked.Increment(ref _writtenLines);
            }
            else
            {
                CountDropped(1);
            }

            Interlocked.Add(ref _queuedBytes, -line.Length);
            ArrayPool<byte>.Shared.Return(line.Buffer);

            // Under a steady stream the queue may never run dry: flush on time anyway.
            if (++count % 256 == 0 && Stopwatch.GetElapsedTime(started) >= MaxFlushDelay)
            {
                _output.Flush();
                started = Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>
    /// Says how many lines were dropped, at most once per <see cref="DropWarningInterval"/>: called
    /// where a line is dropped (so a writer stuck on a full pipe is still reported) and by the
    /// writer thread, which reports the rest once drops stop and at shutdown.
    /// </summary>
    private void ReportDrops(bool force)
    {
        var dropped = Volatile.Read(ref _droppedLines);
        if (dropped == Volatile.Read(ref _reportedDrops))
        {
            return;
        }

        var now = _time.GetTimestamp();
        var last = Volatile.Read(ref _lastDropWarning);
        if (!force && last != long.MinValue && _time.GetElapsedTime(last, now) < DropWarningInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastDropWarning, now, last) != last)
        {
            return; // another thread is reporting
        }

        var count = dropped - Interlocked.Exchange(ref _reportedDrops, dropped);
        if (count > 0)
        {
            LogDropped(_logger, count, Path, _capacityBytes);
        }
    }

    private void Close()
    {
        _output.Dispose();

        // Lines queued after the last drain (a request finishing while the node stops).
        while (_queue.TryDequeue(out var line))
        {
            Interlocked.Add(ref _queuedBytes, -line.Length);
            ArrayPool<byte>.Shared.Return(line.Buffer);
            CountDropped(1);
        }
    }

    [LoggerMessage(EventId = 9102, Level = LogLevel.Warning, Message = "Access log: {Count} lines dropped: {Path} could not take them as fast as they came (queue of {QueueBytes} bytes full, or the write failed); requests were not delayed")]
    private static partial void LogDropped(ILogger logger, long count, string path, long queueBytes);

    [LoggerMessage(EventId = 9106, Level = LogLevel.Warning, Message = "Access log: {Path} did not take the last lines within {Seconds} s of stopping; {QueuedBytes} bytes were not written")]
    private static partial void LogStopTimedOut(ILogger logger, string path, long seconds, long queuedBytes);
}

using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;

namespace MirrorGate.Observability;

/// <summary>
/// <c>nginx_config.error_log</c>: every log line the console gets, also appended to a file, one
/// line per event in the console's single-line layout. Lines are queued and written by one
/// background task, so a slow disk never holds up the code that logs (a request, a timer): when
/// the queue is full the line is dropped and counted, and the count is written once there is room.
/// </summary>
/// <remarks>
/// <see cref="Reopen"/> closes and reopens the file (SIGUSR1, after <c>logrotate</c> moved it).
/// The same level rules apply as to the console (<c>error_log_level</c> and <c>--Logging:...</c>).
/// </remarks>
internal sealed class ErrorLogFileProvider : ILoggerProvider
{
    /// <summary>Lines waiting for the writer; logs are rate-limited, so this is only reached when the disk stalls.</summary>
    public const int QueueCapacity = 10_000;

    /// <summary>How long the writer waits before trying a file that failed again.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    // A line, or (Line null) a wake-up for Reopen, or a flush marker that completes once every entry before it is handled.
    private readonly Channel<(string? Line, TaskCompletionSource? Flushed)> _queue = Channel.CreateBounded<(string?, TaskCompletionSource?)>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly TimeProvider _timeProvider;
    private readonly Task _writer;
    private StreamWriter _file;
    private long _dropped;
    private int _reopen;
    private int _disposed;
    private IDisposable? _signal;

    private ErrorLogFileProvider(string path, StreamWriter file, TimeProvider timeProvider)
    {
        Path = path;
        _file = file;
        _timeProvider = timeProvider;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Lines dropped because the queue was full (the disk did not keep up).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Creates the directory and opens the file for appending.</summary>
    /// <exception cref="ConfigException">The file cannot be opened; the message names the key and the path.</exception>
    public static ErrorLogFileProvider Open(string path, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ErrorLogFileProvider(path, OpenFile(path), timeProvider ?? TimeProvider.System);
    }

    /// <summary>Reopens the file on SIGUSR1 from now until disposed (the node's own file; tests call <see cref="Reopen"/>).</summary>
    internal void ReopenOnSignal() => _signal ??= ReopenSignal.Register(Reopen);

    public ILogger CreateLogger(string categoryName) => new FileLogger(this, categoryName);

    /// <summary>
    /// Reopens the file by its path on the writer's next turn (at once if it is idle): after
    /// <c>logrotate</c> renamed it, new lines go to a new file. Safe to call from a signal handler.
    /// </summary>
    internal void Reopen()
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return;
        }

        Volatile.Write(ref _reopen, 1);

        // Wakes the writer; nothing is written.
        _queue.Writer.TryWrite((null, null));
    }

    /// <summary>Waits (bounded) until every line queued so far is on disk; for tests and shutdown.</summary>
    internal async Task FlushAsync(TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_queue.Writer.TryWrite((null, done)))
        {
            await done.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _signal?.Dispose();
        _queue.Writer.TryComplete();
        try
        {
            // Shutdown waits a little for the last lines; a stalled disk cannot hold it up for good.
            _writer.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _file.Dispose();
    }

    private void Enqueue(string line)
    {
        if (!_queue.Writer.TryWrite((line, null)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task WriteLoopAsync()
    {
        long reported = 0;
        var reader = _queue.Reader;
        var flushed = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            try
            {
                if (Interlocked.Exchange(ref _reopen, 0) == 1)
                {
                    var old = _file;
                    _file = OpenFile(Path);
                    await old.DisposeAsync().ConfigureAwait(false);
                }

                while (reader.TryRead(out var entry))
                {
                    if (entry.Line is { } line)
                    {
                        await _file.WriteLineAsync(line).ConfigureAwait(false);
                    }
                    else if (entry.Flushed is { } flush)
                    {
                        flushed.Add(flush);
                    }
                }

                var dropped = Dropped;
                if (dropped != reported)
                {
                    await _file.WriteLineAsync(Format(_timeProvider.GetLocalNow(), LogLevel.Warning, "MirrorGate.Observability.ErrorLogFileProvider", default,
                        string.Create(CultureInfo.InvariantCulture, $"{dropped - reported} log lines were dropped: the error_log file did not keep up"), null)).ConfigureAwait(false);
                    reported = dropped;
                }

                await _file.FlushAsync().ConfigureAwait(false);
                Complete(flushed);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException or ConfigException)
            {
                // A full or vanished disk: the console still has the lines. What is queued is dropped
                // (counted, and the count written once the file works again), so a broken disk
                // neither spins this loop nor grows the queue; the path is tried again in a second.
                Volatile.Write(ref _reopen, 1);
                while (reader.TryRead(out var entry))
                {
                    if (entry.Line is not null)
                    {
                        Interlocked.Increment(ref _dropped);
                    }
                    else if (entry.Flushed is { } flush)
                    {
                        flushed.Add(flush);
                    }
                }

                Complete(flushed);
                if (Volatile.Read(ref _disposed) == 0)
                {
                    await Task.Delay(RetryDelay, _timeProvider).ConfigureAwait(false);
                }
            }
        }

        Complete(flushed);
    }

    private static void Complete(List<TaskCompletionSource> flushed)
    {
        foreach (var flush in flushed)
        {
            flush.TrySetResult();
        }

        flushed.Clear();
    }

    private static StreamWriter OpenFile(string path)
    {
        try
        {
            if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { AutoFlush = false };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"nginx_config.error_log: cannot open {path}: {ex.Message}", ex);
        }
    }

    /// <summary>The console's single-line layout: <c>2026-01-02T03:04:05.678 warn: Category[1] message exception</c>.</summary>
    internal static string Format(DateTimeOffset time, LogLevel level, string category, EventId eventId, string message, Exception? exception)
    {
        var builder = new StringBuilder(128);
        builder.Append(time.DateTime.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture))
            .Append(' ').Append(LevelName(level)).Append(": ").Append(category)
            .Append('[').Append(eventId.Id.ToString(CultureInfo.InvariantCulture)).Append("] ")
            .Append(OneLine(message));
        if (exception is not null)
        {
            builder.Append(' ').Append(OneLine(exception.ToString()));
        }

        return builder.ToString();
    }

    private static string OneLine(string text) => text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)
        ? text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ')
        : text;

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private sealed class FileLogger(ErrorLogFileProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        // The factory's rules (error_log_level, --Logging:...) decide; this logger takes what passes them.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || Volatile.Read(ref provider._disposed) == 1)
            {
                return;
            }

            provider.Enqueue(Format(provider._timeProvider.GetLocalNow(), logLevel, category, eventId, formatter(state, exception), exception));
        }
    }
}

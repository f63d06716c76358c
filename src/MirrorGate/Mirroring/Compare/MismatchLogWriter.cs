using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Appends mismatches to the <c>compare_log</c> file, one JSON object a line, from one background
/// task. The caller never waits: records go through a bounded queue and, when it is full or no
/// file is set, are dropped and counted (<c>mirrorgate.mirror.compare.log_dropped</c>). The file
/// is flushed after every batch, reopened when the path changes (config.yaml) or when it was
/// moved or deleted (log rotation), and created with its directory if missing.
/// </summary>
internal sealed partial class MismatchLogWriter : IAsyncDisposable, IDisposable
{
    public const int QueueCapacity = 4096;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly Func<string?> _path;
    private readonly CompareMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<object> _queue;
    private readonly Task _loop;

    private FileStream? _file;
    private string? _openPath;
    private bool _failing;

    /// <param name="path">The file in force (<c>plugin_attr.proxy-mirror.compare_log</c>), read at each record; null writes nothing.</param>
    public MismatchLogWriter(Func<string?> path, CompareMetrics metrics, ILogger logger)
    {
        _path = path;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once: the record is dropped, not an older one.
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a record; false (and counted) when no file is set or the queue is full.</summary>
    public bool TryWrite(MismatchRecord record)
    {
        if (string.IsNullOrEmpty(_path()))
        {
            return false;
        }

        if (_queue.Writer.TryWrite(record))
        {
            return true;
        }

        _metrics.LogDropped.Add(1);
        return false;
    }

    /// <summary>Completes once every record queued before the call is written and flushed (tests, shutdown).</summary>
    public async Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            // Waits for room behind a full queue; records never do (they use TryWrite).
            await _queue.Writer.WriteAsync(done).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return;
        }

        await done.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var waiting = new List<TaskCompletionSource>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item is TaskCompletionSource flush)
                {
                    waiting.Add(flush);
                }
                else
                {
                    Write((MismatchRecord)item);
                }
            }

            Flush();
            foreach (var flush in waiting)
            {
                flush.TrySetResult();
            }

            waiting.Clear();
        }

        _file?.Dispose();
    }

    private void Write(MismatchRecord record)
    {
        try
        {
            var file = Open();
            if (file is null)
            {
                _metrics.LogDropped.Add(1);
                return;
            }

            file.Write(Encoding.UTF8.GetBytes(record.ToJson()));
            file.Write(NewLine);
            _failing = false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _metrics.LogDropped.Add(1);
            Close();
            Failed(ex);
        }
    }

    private void Flush()
    {
        try
        {
            _file?.Flush();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Close();
            Failed(ex);
        }
    }

    private FileStream? Open()
    {
        var path = _path();
        if (string.IsNullOrEmpty(path))
        {
            Close();
            return null;
        }

        // A rotated file (moved or deleted) is reopened at its path, so the next line starts a new file.
        if (_file is not null && (!string.Equals(path, _openPath, StringComparison.Ordinal) || !File.Exists(path)))
        {
            Close();
        }

        if (_file is null)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } directory)
            {
                Directory.CreateDirectory(directory);
            }

            _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            _openPath = path;
        }

        return _file;
    }

    private void Close()
    {
        try
        {
            _file?.Dispose();
        }
        catch (IOException)
        {
            // What was not flushed is lost with the file; the next record opens it again.
        }

        _file = null;
        _openPath = null;
    }

    private void Failed(Exception ex)
    {
        // Said once per run of failures, not once per record.
        if (!_failing)
        {
            _failing = true;
            LogWriteFailed(_logger, _path() ?? "", ex);
        }
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Error, Message = "Writing mismatches to {Path} (plugin_attr.proxy-mirror.compare_log) failed; they are dropped and counted until it works again")]
    private static partial void LogWriteFailed(ILogger logger, string path, Exception exception);
}

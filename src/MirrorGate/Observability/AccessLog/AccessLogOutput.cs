using Microsoft.Extensions.Logging;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// The open access log file (or stdout) behind a buffer of <c>access_log_buffer</c> bytes, used
/// by the writer thread alone. A failing file is closed (what its buffer held is lost) and opened
/// again at most once a second; <see cref="Reopen"/> swaps in a new file at the same path after
/// rotation, keeping the old one when the new one cannot be opened, as nginx does.
/// </summary>
internal sealed partial class AccessLogOutput : IDisposable
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly int _bufferBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private Stream? _stream;
    private long _lastOpenAttempt;
    private bool _failing;

    /// <summary>Opens at once, so a path that cannot be opened fails start-up.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public AccessLogOutput(string path, int bufferBytes, TimeProvider time, ILogger logger)
    {
        _path = path;
        _bufferBytes = bufferBytes;
        _time = time;
        _logger = logger;
        _stream = Open();
    }

    /// <summary>False when the line could not be written (no file, or the write failed).</summary>
    public bool Write(byte[] buffer, int length)
    {
        var stream = _stream ?? TryOpenAgain();
        if (stream is null)
        {
            return false;
        }

        try
        {
            stream.Write(buffer, 0, length);
            _failing = false;
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
        {
            Failed(ex);
            return false;
        }
    }

    public void Flush()
    {
        try
        {
            _stream?.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
        {
            Failed(ex);
        }
    }

    /// <summary>Closes the file and opens its path again (after logrotate moved it); stdout is left as it is.</summary>
    public void Reopen()
    {
        if (!AccessLogFile.IsFile(_path))
        {
            return;
        }

        Stream fresh;
        try
        {
            fresh = Open();
        }
        catch (IOException ex)
        {
            LogReopenFailed(_logger, _path, ex.Message);
            return;
        }

        var old = _stream;
        _stream = fresh;
        _failing = false;
        DisposeQuietly(old);
        LogReopened(_logger, _path);
    }

    /// <summary>Flushes and closes.</summary>
    public void Dispose()
    {
        Flush();
        DisposeQuietly(_stream);
        _stream = null;
    }

    private Stream Open()
    {
        var raw = AccessLogFile.Open(_path);
        return _bufferBytes > 0 ? new BufferedStream(raw, _bufferBytes) : raw;
    }

    private Stream? TryOpenAgain()
    {
        var now = _time.GetTimestamp();
        if (_lastOpenAttempt != 0 && _time.GetElapsedTime(_lastOpenAttempt, now) < RetryInterval)
        {
            return null;
        }

        _lastOpenAttempt = now;
        try
        {
            _stream = Open();
            return _stream;
        }
        catch (IOException ex)
        {
            Failed(ex);
            return null;
        }
    }

    private void Failed(Exception ex)
    {
        // Said once per run of failures, not once per line.
        if (!_failing)
        {
            _failing = true;
            LogWriteFailed(_logger, _path, ex.Message);
        }

        DisposeQuietly(_stream);
        _stream = null;
    }

    private static void DisposeQuietly(Stream? stream)
    {
        try
        {
            stream?.Dispose();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException)
        {
            // A buffer that cannot be flushed any more is lost with the file.
        }
    }

    [LoggerMessage(EventId = 9103, Level = LogLevel.Error, Message = "Access log: writing to {Path} failed: {Reason}; lines are dropped and counted until it can be opened again")]
    private static partial void LogWriteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Information, Message = "Access log: reopened {Path}")]
    private static partial void LogReopened(ILogger logger, string path);

    [LoggerMessage(EventId = 9105, Level = LogLevel.Error, Message = "Access log: reopening {Path} failed: {Reason}; writing on to the file already open")]
    private static partial void LogReopenFailed(ILogger logger, string path, string reason);
}

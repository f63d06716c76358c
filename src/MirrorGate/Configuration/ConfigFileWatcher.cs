using Microsoft.Extensions.Logging;

namespace MirrorGate.Configuration;

/// <summary>
/// Re-reads <c>config.yaml</c> when it changes, so settings such as <c>plugin_attr</c> apply
/// without a restart (APISIX needs a reload for them). A file that does not load is logged and
/// the previous config stays in force.
/// </summary>
/// <remarks>
/// Polls the file's last-write time and length (default every second) rather than using
/// <see cref="FileSystemWatcher"/>: polling also works on network and container-mounted files and
/// through editors that replace the file, and a second's delay is fine for node settings.
/// Reading the text and comparing it skips touches that change nothing. An empty file is taken
/// for an editor caught mid-write and ignored until the next change.
/// </remarks>
internal sealed partial class ConfigFileWatcher : IDisposable
{
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _period;
    private readonly Func<NodeConfig, NodeConfig>? _prepare;
    private ITimer? _timer;
    private (DateTime LastWriteUtc, long Length) _stamp;
    private string? _text;
    private NodeConfig _current;
    private int _polling;

    /// <param name="path">The file <paramref name="current"/> was loaded from. Create the watcher right after that
    /// load: the file as it is now is taken as the baseline, so an edit in between is seen only with the next one.</param>
    /// <param name="prepare">Applied to each reloaded config before it is published, e.g. <see cref="AdminKeyBootstrap"/>.</param>
    public ConfigFileWatcher(
        string path,
        NodeConfig current,
        ILogger<ConfigFileWatcher> logger,
        TimeProvider? timeProvider = null,
        TimeSpan? period = null,
        Func<NodeConfig, NodeConfig>? prepare = null)
    {
        _path = Path.GetFullPath(path);
        _current = current;
        _logger = logger;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _period = period ?? DefaultPeriod;
        _prepare = prepare;
        _stamp = Stamp();
        _text = TryReadText();
    }

    /// <summary>The config in force: the last one that loaded.</summary>
    public NodeConfig Current => Volatile.Read(ref _current);

    /// <summary>Raised on the timer's thread with each new config that loaded; handlers should be quick.</summary>
    public event Action<NodeConfig>? ConfigChanged;

    public void Start() => _timer ??= _timeProvider.CreateTimer(_ => Poll(), null, _period, _period);

    /// <summary>One check of the file; the timer calls it, tests may too.</summary>
    internal void Poll()
    {
        // A slow disk must not make timer ticks pile up on each other.
        if (Interlocked.Exchange(ref _polling, 1) == 1)
        {
            return;
        }

        try
        {
            var stamp = Stamp();
            if (stamp == _stamp)
            {
                return;
            }

            var text = TryReadText();
            if (Stamp() != stamp)
            {
                // Still being written: look again on the next tick.
                return;
            }

            _stamp = stamp;
            if (text is null || text == _text)
            {
                // Gone (logged once per change below) or only touched.
                if (text is null)
                {
                    LogFileMissing(_logger, _path);
                }

                return;
            }

            _text = text;
            if (string.IsNullOrWhiteSpace(text))
            {
                LogFileEmpty(_logger, _path);
                return;
            }

            NodeConfig config;
            try
            {
                var (loaded, warnings) = NodeConfigLoader.LoadFromText(text, _path);
                config = _prepare is null ? loaded : _prepare(loaded);
                foreach (var warning in warnings)
                {
                    LogWarning(_logger, warning);
                }
            }
            catch (ConfigException ex)
            {
                LogReloadFailed(_logger, ex.Message, ex);
                return;
            }

            Volatile.Write(ref _current, config);
            LogReloaded(_logger, _path);
            Raise(config);
        }
        catch (Exception ex)
        {
            // On a timer thread an escaping exception would end the process; a reload is never worth that.
            LogReloadFailed(_logger, ex.Message, ex);
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private void Raise(NodeConfig config)
    {
        var handlers = ConfigChanged;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<NodeConfig>)handler)(config);
            }
            catch (Exception ex)
            {
                // One subscriber failing must not keep the new settings from the others.
                LogHandlerFailed(_logger, ex);
            }
        }
    }

    private (DateTime, long) Stamp()
    {
        var info = new FileInfo(_path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }

    private string? TryReadText()
    {
        try
        {
            return File.ReadAllText(_path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Reloaded {Path}; the new settings are in force.")]
    private static partial void LogReloaded(ILogger logger, string path);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Config file changed but did not load, keeping the previous settings: {Problem}")]
    private static partial void LogReloadFailed(ILogger logger, string problem, Exception exception);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Config file {Path} is gone; keeping the previous settings.")]
    private static partial void LogFileMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Config file {Path} is empty (being written?); keeping the previous settings.")]
    private static partial void LogFileEmpty(ILogger logger, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "A handler of the config change event threw.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}

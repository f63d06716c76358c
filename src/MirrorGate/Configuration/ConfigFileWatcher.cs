using Microsoft.Extensions.Logging;

namespace MirrorGate.Configuration;

/// <summary>
/// Re-reads <c>config.yaml</c> when it changes. The live keys (<see cref="IsLive"/>:
/// <c>plugin_attr.proxy-mirror.*</c> but <c>marker_header</c>) apply at once; every other key
/// (listeners, <c>deployment</c>, <c>nginx_config</c>, <c>plugins</c>, <c>apisix.id</c> ...)
/// waits for a restart. Each change is logged by dotted key path: what was applied, and as a
/// separate warning what waits for a restart. A change that does not load, or holds a bad or
/// unknown key, is refused whole: only the refusal is logged and nothing is applied.
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

    // The file as last loaded (at start or by a reload that was not refused), flattened to
    // dotted paths, and the warnings already reported for it.
    private IReadOnlyDictionary<string, string> _previous;
    private HashSet<string> _warnings;
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
        (_previous, _warnings) = Baseline(_text, _path);
    }

    /// <summary>True for a key that applies without a restart: <c>plugin_attr.proxy-mirror.*</c> except <c>marker_header</c>.</summary>
    public static bool IsLive(string keyPath) =>
        keyPath == LivePrefix[..^1]
        || (keyPath.StartsWith(LivePrefix, StringComparison.Ordinal) && !keyPath.StartsWith(LivePrefix + "marker_header", StringComparison.Ordinal));

    private const string LivePrefix = "plugin_attr.proxy-mirror.";

    /// <summary>The config in force: as the node started, with the live keys of the last change that loaded.</summary>
    public NodeConfig Current => Volatile.Read(ref _current);

    /// <summary>Raised on the timer's thread when a change that loaded changed live keys, with the new <see cref="Current"/>; handlers should be quick.</summary>
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
            IReadOnlyDictionary<string, string> flat;
            IReadOnlyList<string> warnings;
            try
            {
                (var loaded, warnings) = NodeConfigLoader.LoadFromText(text, _path);
                config = _prepare is null ? loaded : _prepare(loaded);

                // The live values are checked here, before anything is applied or logged as applied.
                Mirroring.ProxyMirrorSettings.FromPluginAttr(config.PluginAttr);
                flat = Flatten(YamlToJson.ParseDocument(text, _path));
            }
            catch (ConfigException ex)
            {
                LogRefused(_logger, _path, ex.Message);
                return;
            }

            foreach (var warning in warnings.Where(w => !_warnings.Contains(w)))
            {
                LogWarning(_logger, warning);
            }

            _warnings = [.. warnings];
            var changed = Changed(_previous, flat).ToArray();
            _previous = flat;
            var live = changed.Where(IsLive).ToArray();
            var restart = changed.Where(k => !IsLive(k)).ToArray();
            if (restart.Length > 0)
            {
                LogRestartNeeded(_logger, _path, string.Join(", ", restart));
            }

            if (live.Length == 0)
            {
                if (restart.Length == 0)
                {
                    LogNothingChanged(_logger, _path);
                }

                return;
            }

            // Only the live part is published: the rest stays as the node started until it restarts.
            var applied = Current with { PluginAttr = config.PluginAttr };
            Volatile.Write(ref _current, applied);
            LogApplied(_logger, _path, string.Join(", ", live));
            Raise(applied);
        }
        catch (Exception ex)
        {
            // On a timer thread an escaping exception would end the process; a reload is never worth that.
            LogReloadCrashed(_logger, _path, ex);
        }
        finally
        {
            Volatile.Write(ref _polling, 0);
        }
    }

    /// <summary>Every leaf of the document as <c>dotted.path</c> → its JSON text (a list is one leaf).</summary>
    internal static IReadOnlyDictionary<string, string> Flatten(System.Text.Json.Nodes.JsonObject document)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        Walk(document, string.Empty);
        return result;

        void Walk(System.Text.Json.Nodes.JsonNode? node, string path)
        {
            if (node is System.Text.Json.Nodes.JsonObject obj && (obj.Count > 0 || path.Length == 0))
            {
                foreach (var (key, value) in obj)
                {
                    Walk(value, path.Length == 0 ? key : $"{path}.{key}");
                }
            }
            else
            {
                result[path] = node?.ToJsonString() ?? "null";
            }
        }
    }

    /// <summary>Paths whose value differs, was added or was removed, in a stable order.</summary>
    internal static IEnumerable<string> Changed(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys)
            .Where(k => !before.TryGetValue(k, out var a) || !after.TryGetValue(k, out var b) || a != b)
            .Order(StringComparer.Ordinal);

    private static (IReadOnlyDictionary<string, string>, HashSet<string>) Baseline(string? text, string path)
    {
        try
        {
            return text is null
                ? (new Dictionary<string, string>(), [])
                : (Flatten(YamlToJson.ParseDocument(text, path)), [.. NodeConfigLoader.LoadFromText(text, path).Warnings]);
        }
        catch (ConfigException)
        {
            // The node started from this text, so it loads; a file changed in between is compared as empty.
            return (new Dictionary<string, string>(), []);
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

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Reloaded {Path}: applied {Keys}")]
    private static partial void LogApplied(ILogger logger, string path, string keys);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Error, Message = "Config file {Path} changed but was refused, nothing was applied: {Problem}")]
    private static partial void LogRefused(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Config file {Path} is gone; keeping the previous settings.")]
    private static partial void LogFileMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Config file {Path} is empty (being written?); keeping the previous settings.")]
    private static partial void LogFileEmpty(ILogger logger, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error, Message = "A handler of the config change event threw.")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Warning, Message = "{Path} changed {Keys}: these apply when the node restarts; until then the node keeps the values it started with")]
    private static partial void LogRestartNeeded(ILogger logger, string path, string keys);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Information, Message = "{Path} changed but no setting differs (comments or layout only); nothing to apply")]
    private static partial void LogNothingChanged(ILogger logger, string path);

    [LoggerMessage(EventId = 1109, Level = LogLevel.Error, Message = "Reloading {Path} failed unexpectedly; keeping the previous settings")]
    private static partial void LogReloadCrashed(ILogger logger, string path, Exception exception);
}

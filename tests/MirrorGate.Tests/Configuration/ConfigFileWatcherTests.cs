using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

public sealed class ConfigFileWatcherTests : IDisposable
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(10);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mirrorgate-watch-" + Guid.NewGuid().ToString("N"));
    private readonly ListLogger _logger = new();
    private DateTime _mtime = new(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public ConfigFileWatcherTests()
    {
        Directory.CreateDirectory(_directory);
        Edit(Timeout("60s"));
    }

    private string ConfigPath => Path.Combine(_directory, "config.yaml");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Timeout(string connect) => $"plugin_attr:\n  proxy-mirror:\n    timeout: {{connect: {connect}}}\n";

    private static string? Connect(NodeConfig config) => (string?)config.PluginAttr["proxy-mirror"]?["timeout"]?["connect"];

    /// <summary>Writes the file and moves its timestamp forward, so even a same-length edit is seen on any file system.</summary>
    private void Edit(string text)
    {
        File.WriteAllText(ConfigPath, text);
        _mtime = _mtime.AddSeconds(1);
        File.SetLastWriteTimeUtc(ConfigPath, _mtime);
    }

    private ConfigFileWatcher NewWatcher(TimeProvider? timeProvider = null, TimeSpan? period = null, Func<NodeConfig, NodeConfig>? prepare = null) =>
        new(ConfigPath, NodeConfigLoader.Load(ConfigPath).Config, _logger, timeProvider, period, prepare);

    [Fact]
    public void Poll_FileEdited_RaisesNewConfig()
    {
        using var watcher = NewWatcher();
        NodeConfig? seen = null;
        watcher.ConfigChanged += c => seen = c;

        Edit(Timeout("2s"));
        watcher.Poll();

        Assert.Equal("2s", Connect(seen!));
        Assert.Same(seen, watcher.Current);
        var applied = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Information, applied.Level);
        Assert.Equal($"Reloaded {ConfigPath}: applied plugin_attr.proxy-mirror.timeout.connect", applied.Message);
    }

    [Fact]
    public void Poll_Unchanged_DoesNotRaise()
    {
        using var watcher = NewWatcher();
        var raised = 0;
        watcher.ConfigChanged += _ => raised++;

        watcher.Poll();
        File.SetLastWriteTimeUtc(ConfigPath, _mtime.AddSeconds(5)); // touched, same text
        watcher.Poll();

        Assert.Equal(0, raised);
    }

    [Fact]
    public void Poll_InvalidEdit_KeepsOldConfigAndLogsError()
    {
        using var watcher = NewWatcher();
        var before = watcher.Current;
        var raised = 0;
        watcher.ConfigChanged += _ => raised++;

        Edit("apisix: {node_listen: [abc]}\n");
        watcher.Poll();
        watcher.Poll();

        Assert.Equal(0, raised);
        Assert.Same(before, watcher.Current);
        var error = Assert.Single(_logger.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("apisix.node_listen[0]", error.Message, StringComparison.Ordinal);

        Edit(Timeout("5s"));
        watcher.Poll();

        Assert.Equal(1, raised);
        Assert.Equal("5s", Connect(watcher.Current));
    }

    [Fact]
    public void Poll_EmptyOrMissingFile_KeepsOldConfig()
    {
        using var watcher = NewWatcher();
        var before = watcher.Current;
        watcher.ConfigChanged += _ => Assert.Fail("no event expected");

        Edit("");
        watcher.Poll();
        File.Delete(ConfigPath);
        watcher.Poll();

        Assert.Same(before, watcher.Current);
        Assert.Equal(2, _logger.Entries.Count(e => e.Level == LogLevel.Warning));
    }

    [Fact]
    public void Poll_PrepareThrows_ChangeRefused()
    {
        using var watcher = NewWatcher(prepare: _ => throw new ConfigException("config.yaml", "deployment.admin.admin_key", "cannot save the key"));
        var before = watcher.Current;

        Edit(Timeout("3s"));
        watcher.Poll();

        Assert.Same(before, watcher.Current);
        var refusal = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Error, refusal.Level);
        Assert.Contains("deployment.admin.admin_key: cannot save the key", refusal.Message, StringComparison.Ordinal);
    }

    private static string Node(int adminPort, string maxBodySize, string extra = "") => $$"""
        deployment:
          admin:
            admin_listen: {ip: 127.0.0.1, port: {{adminPort}}}
        plugin_attr:
          proxy-mirror:
            max_body_size: {{maxBodySize}}
        {{extra}}
        """;

    [Fact]
    public void Poll_AdminPortChanged_WarnsItWaitsForRestartAndAppliesNothing()
    {
        Edit(Node(9180, "1m"));
        using var watcher = NewWatcher();
        var before = watcher.Current;
        watcher.ConfigChanged += _ => Assert.Fail("nothing live changed");

        Edit(Node(9181, "1m"));
        watcher.Poll();

        Assert.Same(before, watcher.Current);
        var warning = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal($"{ConfigPath} changed deployment.admin.admin_listen.port: these apply when the node restarts; until then the node keeps the values it started with", warning.Message);
    }

    [Fact]
    public void Poll_BadLiveValue_OnlyTheRefusalIsLogged()
    {
        Edit(Node(9180, "1m"));
        using var watcher = NewWatcher();
        var before = watcher.Current;
        watcher.ConfigChanged += _ => Assert.Fail("a refused change applies nothing");

        Edit(Node(9181, "32q"));
        watcher.Poll();

        Assert.Same(before, watcher.Current);
        var refusal = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Error, refusal.Level);
        Assert.StartsWith($"Config file {ConfigPath} changed but was refused, nothing was applied: plugin_attr.proxy-mirror.max_body_size", refusal.Message, StringComparison.Ordinal);
        Assert.Null(refusal.Exception);
    }

    [Fact]
    public void Poll_LiveAndRestartKeysChanged_AppliedLineNamesLiveKeysWarningNamesTheOthers()
    {
        Edit(Node(9180, "1m"));
        using var watcher = NewWatcher();
        var before = watcher.Current;
        NodeConfig? seen = null;
        watcher.ConfigChanged += c => seen = c;

        Edit(Node(9181, "2m", "apisix:\n  node_listen: [19080]\n"));
        watcher.Poll();

        Assert.NotNull(seen);
        Assert.Equal("2m", (string?)seen.PluginAttr["proxy-mirror"]!["max_body_size"]);
        Assert.Equal(before.Deployment.Admin.Listen, seen.Deployment.Admin.Listen);
        Assert.Equal(before.NodeListen, seen.NodeListen);
        Assert.Equal(
            [
                (LogLevel.Warning, $"{ConfigPath} changed apisix.node_listen, deployment.admin.admin_listen.port: these apply when the node restarts; until then the node keeps the values it started with"),
                (LogLevel.Information, $"Reloaded {ConfigPath}: applied plugin_attr.proxy-mirror.max_body_size"),
            ],
            _logger.Entries.Select(e => (e.Level, e.Message)));
    }

    [Fact]
    public void Poll_MarkerHeaderChanged_WaitsForRestart()
    {
        using var watcher = NewWatcher();

        Edit(Timeout("60s") + "    marker_header: X-Shadow-Of\n");
        watcher.Poll();

        var warning = Assert.Single(_logger.Entries);
        Assert.Contains("changed plugin_attr.proxy-mirror.marker_header: these apply when the node restarts", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Poll_UnknownKeyAdded_WholeChangeRefusedWithSuggestion()
    {
        using var watcher = NewWatcher();
        var before = watcher.Current;
        watcher.ConfigChanged += _ => Assert.Fail("a refused change applies nothing");

        Edit(Timeout("2s") + "apisix:\n  node_lisen: [19080]\n");
        watcher.Poll();

        Assert.Same(before, watcher.Current);
        var refusal = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Error, refusal.Level);
        Assert.Contains($"{ConfigPath}: apisix.node_lisen: unknown key, did you mean 'node_listen'?", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Poll_ApisixKeyAdded_WarnedOnceAndLiveChangeApplied()
    {
        using var watcher = NewWatcher();

        Edit(Timeout("2s") + "nginx_config:\n  worker_processes: auto\n");
        watcher.Poll();
        Edit(Timeout("3s") + "nginx_config:\n  worker_processes: auto\n");
        watcher.Poll();

        Assert.Equal("3s", Connect(watcher.Current));
        Assert.Single(_logger.Entries, e => e.Message == $"APISIX key 'nginx_config.worker_processes' in {ConfigPath} is not used by MirrorGate, ignored");
        Assert.Single(_logger.Entries, e => e.Message.Contains("changed nginx_config.worker_processes: these apply when the node restarts", StringComparison.Ordinal));
    }

    [Fact]
    public void Poll_CommentOnlyEdit_SaysNothingChanged()
    {
        using var watcher = NewWatcher();
        watcher.ConfigChanged += _ => Assert.Fail("nothing changed");

        Edit("# a comment\n" + Timeout("60s"));
        watcher.Poll();

        var entry = Assert.Single(_logger.Entries);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Contains("no setting differs", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Poll_HandlerThrows_OtherHandlersStillRun()
    {
        using var watcher = NewWatcher();
        NodeConfig? seen = null;
        watcher.ConfigChanged += _ => throw new InvalidOperationException("bad subscriber");
        watcher.ConfigChanged += c => seen = c;

        Edit(Timeout("4s"));
        watcher.Poll();

        Assert.NotNull(seen);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    [Fact]
    public void Start_InjectedTimeProvider_PollsOnItsTimerWithPeriod()
    {
        var time = new ManualTimeProvider();
        using var watcher = NewWatcher(time, TimeSpan.FromMilliseconds(250));
        NodeConfig? seen = null;
        watcher.ConfigChanged += c => seen = c;

        watcher.Start();
        Edit(Timeout("7s"));
        time.FireTimers();

        Assert.Equal(TimeSpan.FromMilliseconds(250), time.LastPeriod);
        Assert.Equal("7s", Connect(seen!));
    }

    [Fact]
    public async Task Start_RealTimer_PicksUpEdit()
    {
        using var watcher = NewWatcher(period: TimeSpan.FromMilliseconds(20));
        var changed = new TaskCompletionSource<NodeConfig>(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.ConfigChanged += c => changed.TrySetResult(c);

        watcher.Start();
        Edit(Timeout("2000ms"));

        var config = await changed.Task.WaitAsync(EventTimeout);
        Assert.Equal("2000ms", Connect(config));
    }

    [Theory]
    [InlineData("plugin_attr.proxy-mirror.max_body_size", true)]
    [InlineData("plugin_attr.proxy-mirror.timeout.connect", true)]
    [InlineData("plugin_attr.proxy-mirror", true)]
    [InlineData("plugin_attr.proxy-mirror.marker_header", false)]
    [InlineData("plugin_attr.proxy-mirrors.x", false)]
    [InlineData("plugin_attr.prometheus.export_addr.port", false)]
    [InlineData("deployment.admin.admin_listen.port", false)]
    [InlineData("nginx_config.error_log_level", false)]
    [InlineData("apisix.id", false)]
    public void IsLive_OnlyProxyMirrorAttributesButTheMarker(string keyPath, bool live)
    {
        Assert.Equal(live, ConfigFileWatcher.IsLive(keyPath));
    }

    /// <summary>A TimeProvider whose timers fire only when the test says so.</summary>
    private sealed class ManualTimeProvider : TimeProvider
    {
        private readonly List<(TimerCallback Callback, object? State)> _timers = [];

        public TimeSpan LastPeriod { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            LastPeriod = period;
            _timers.Add((callback, state));
            return new NoopTimer();
        }

        public void FireTimers()
        {
            foreach (var (callback, state) in _timers)
            {
                callback(state);
            }
        }

        private sealed class NoopTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed class ListLogger : ILogger<ConfigFileWatcher>
    {
        private readonly List<(LogLevel Level, string Message, Exception? Exception)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message, Exception? Exception)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return _entries.ToArray();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception), exception));
            }
        }
    }
}

using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MirrorGate.Admin;
using MirrorGate.Admin.Dashboard;
using MirrorGate.Configuration;
using MirrorGate.Consumers;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Observability;
using MirrorGate.Observability.AccessLog;
using MirrorGate.Observability.Apisix;
using MirrorGate.Pipeline;
using MirrorGate.Plugins;
using MirrorGate.Snapshot;
using MirrorGate.Stores;

namespace MirrorGate.Hosting;

/// <summary>
/// Builds and runs one gateway node from config.yaml: the proxy listeners, the Admin API
/// listener, the Prometheus listener, the store, the snapshot pipeline and the mirror leg.
/// </summary>
public static partial class MirrorGateHost
{
    /// <summary>The executable's whole job: load config.yaml, start, run until SIGTERM/Ctrl+C.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, []);

    /// <summary>As <see cref="RunAsync(string[])"/>, with stores beyond the embedded one (etcd).</summary>
    /// <returns>0 after a clean stop (or help/version), 1 when start-up failed, 2 for a wrong command line.</returns>
    internal static async Task<int> RunAsync(string[] args, IReadOnlyList<IConfigStoreProvider> storeProviders)
    {
        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (CommandLineException ex)
        {
            await Console.Error.WriteLineAsync($"mirrorgate: {ex.Message} (see --help)").ConfigureAwait(false);
            return CommandLine.UsageExitCode;
        }

        switch (commandLine.Action)
        {
            case CommandLineAction.Help:
                await Console.Out.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
                return 0;
            case CommandLineAction.Version:
                await Console.Out.WriteLineAsync(CommandLine.VersionLine).ConfigureAwait(false);
                return 0;
        }

        // Every start-up failure is one line naming its cause, never a stack trace: the operator
        // reads it, and a service manager sees exit code 1.
        NodeBootstrap? bootstrap = null;
        WebApplication? app = null;
        try
        {
            bootstrap = NodeBootstrap.Load(commandLine) with { StoreProviders = storeProviders };
            app = await BuildAsync(bootstrap, configure: null, CancellationToken.None).ConfigureAwait(false);
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (bootstrap is { AdminKeyGenerated: true, AdminKeyFile: { } keyFile })
            {
                await Console.Error.WriteLineAsync($"mirrorgate: the Admin API key generated for this start was saved in {keyFile}").ConfigureAwait(false);
            }

            await Console.Error.WriteLineAsync($"mirrorgate: {StartupFailure.Describe(ex, bootstrap?.Config)}").ConfigureAwait(false);
            if (app is not null)
            {
                await DisposeQuietlyAsync(app).ConfigureAwait(false);
            }

            return 1;
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task DisposeQuietlyAsync(WebApplication app)
    {
        try
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The failure that stopped start-up is already reported; a second one from cleaning
            // up after it would only bury that line.
        }
    }

    /// <summary>Builds a started-ready node; the store is opened and the first snapshot loaded (fail fast).</summary>
    internal static async Task<WebApplication> BuildAsync(NodeBootstrap bootstrap, Action<IServiceCollection>? configure, CancellationToken cancellationToken)
    {
        var config = bootstrap.Config;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = bootstrap.HostArgs });

        ConfigureLogging(builder, config.Nginx);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

        var listeners = ListenerMap.From(config);

        // enable_http2 items serve HTTP/1.1 and h2c on the same port (APISIX's `http2 on`);
        // Kestrel alone would speak only HTTP/1.1 there.
        var h2c = config.NodeListen.Any(e => e.EnableHttp2) ? new H2cPrefaceRouter() : null;
        var connections = new ProxyConnectionCounters();
        builder.Services.AddSingleton(connections);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // A gateway streams bodies through; limits belong to the upstream (APISIX's default
            // client_max_body_size is 0, unlimited, too).
            kestrel.Limits.MaxRequestBodySize = null;
            // The router's internal endpoint is listed first so its HTTP/2 pipeline exists
            // before any public port accepts.
            if (h2c is not null)
            {
                kestrel.Listen(System.Net.IPAddress.Loopback, 0, h2c.CaptureHttp2Pipeline);
            }

            foreach (var endpoint in config.NodeListen)
            {
                kestrel.Listen(endpoint.ToIPEndPoint(), o =>
                {
                    o.Use(connections.Wrap);
                    if (endpoint.EnableHttp2 && h2c is not null)
                    {
                        h2c.Attach(o);
                    }
                    else
                    {
                        o.Protocols = HttpProtocols.Http1;
                    }
                });
            }

            if (listeners.AdminPort is not null)
            {
                kestrel.Listen(config.Deployment.Admin.Listen.ToIPEndPoint(), o => o.Protocols = HttpProtocols.Http1);
            }

            kestrel.Listen(config.PrometheusExportAddr.ToIPEndPoint(), o => o.Protocols = HttpProtocols.Http1);
        });

        AddServices(builder.Services, bootstrap);
        configure?.Invoke(builder.Services);

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MirrorGate");
        LogStarting(logger, CommandLine.Version, bootstrap.ConfigPath);
        foreach (var warning in bootstrap.Warnings)
        {
            LogConfigWarning(logger, warning);
        }

        var store = app.Services.GetRequiredService<IConfigStore>();
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await app.Services.GetRequiredService<SnapshotRefresher>().LoadInitialAsync(cancellationToken).ConfigureAwait(false);

        var proxy = app.Services.GetRequiredService<ProxyMiddleware>();
        var admin = app.Services.GetRequiredService<AdminApiMiddleware>();
        var exporter = app.Services.GetRequiredService<PrometheusExporter>();
        var marker = app.Services.GetRequiredService<MirrorMarker>();
        var server = app.Services.GetRequiredService<ServerHeader>();
        app.Run(http =>
        {
            // Every answer names the node, as APISIX's header filter and Admin API do; a proxied
            // answer gets it again in place of the upstream's.
            http.Response.Headers.Server = server.Value;
            return Dispatch(http);
        });

        Task Dispatch(HttpContext http) => listeners.Classify(http.Connection.LocalPort) switch
        {
            ListenerKind.Admin => admin.InvokeAsync(http),
            // Metrics are not secret, but a copy has no business anywhere but at its mirror.
            ListenerKind.Prometheus when marker.IsOn(http.Request.Headers) => AdminJson.ErrorAsync(http, StatusCodes.Status403Forbidden,
                $"403 Forbidden: this request is a mirror copy (it carries {marker.Names}); mirror copies may not read the metrics"),
            ListenerKind.Prometheus => http.Request.Path == PrometheusEndpoint.Path
                ? PrometheusEndpoint.WriteAsync(http, exporter)
                : NotFound(http),
            _ => proxy.InvokeAsync(http),
        };

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var endpoint in config.NodeListen)
            {
                LogListening(logger, "proxy", $"{endpoint.ToIPEndPoint()}{(endpoint.EnableHttp2 ? " (HTTP/1.1 and h2c)" : "")}");
            }

            if (h2c?.InternalEndPoint is { } handOff)
            {
                LogH2cHandOff(logger, handOff.ToString() ?? "");
            }

            if (listeners.AdminPort is not null)
            {
                LogListening(logger, "Admin API", config.Deployment.Admin.Listen.ToString());
            }

            LogListening(logger, "Prometheus metrics", $"{config.PrometheusExportAddr}{PrometheusEndpoint.Path}");
            LogStore(logger, store.Name, store.Location, config.Deployment.ConfigProviderReason);
            LogNodeId(logger, bootstrap.NodeId.Id, bootstrap.NodeId.FilePath is { } idFile
                ? $"{(bootstrap.NodeId.Generated ? "generated and saved in" : "read from")} {idFile}"
                : "apisix.id", bootstrap.MirrorSettings.MarkerHeader);
            if (bootstrap.AdminKeyFile is { } keyFile)
            {
                LogAdminKey(logger, bootstrap.AdminKeyGenerated ? "generated and saved in" : "read from", keyFile);
            }

            var plugins = app.Services.GetRequiredService<PluginRegistry>();
            LogPlugins(logger, string.Join(", ", plugins.Enabled.Select(p => p.Name)));
            PluginRegistryLog.WarnApisixNotBuilt(logger, plugins);
        });

        // Microsoft.Hosting.Lifetime's lines are below the default level (they repeat the ones
        // above); stopping is still worth a line of the gateway's own.
        lifetime.ApplicationStopping.Register(() => LogStopping(logger));

        var watcher = app.Services.GetRequiredService<ConfigFileWatcher>();
        var settings = app.Services.GetRequiredService<NodeSettings>();
        watcher.ConfigChanged += settings.Apply;
        watcher.Start();
        return app;
    }

    /// <summary>
    /// The log levels from <c>nginx_config.error_log_level</c> (nginx's names, <c>warn</c> by
    /// default) as defaults below every other configuration source, so <c>--Logging:...</c>
    /// arguments still win; the console, and <c>nginx_config.error_log</c> when set.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Everything (the libraries: Microsoft.*, Yarp.*, System.*; the gateway: MirrorGate.*) logs at that level.</item>
    /// <item>The start-up lines (category <c>MirrorGate</c>, event ids 10-18) and the config.yaml reload lines
    /// (<see cref="ConfigFileWatcher"/>, 1101-1109) at Information, so they show at any level.</item>
    /// <item><c>Microsoft.Hosting.Lifetime</c> at Warning: its "Now listening on", "Application started" and
    /// "Content root" lines repeat the gateway's own.</item>
    /// <item>YARP's forwarder at Error unless the level is debug: its per-request lines, and its warning with a
    /// stack trace for an unreachable upstream, which the gateway reports itself in one line (event 2001).</item>
    /// <item>"Hosting failed to start" at Critical only: the executable reports a start-up failure as one line.</item>
    /// </list>
    /// </remarks>
    internal static void ConfigureLogging(WebApplicationBuilder builder, NginxConfig nginx)
    {
        var level = nginx.ErrorLogLevel.ToString();
        var user = builder.Configuration;
        var defaults = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = level,
            // "MirrorGate.*" is more specific than "MirrorGate", so only the start-up category itself is lifted;
            // it follows the user's Default when one is given, as every other category does.
            ["Logging:LogLevel:MirrorGate"] = LogLevel.Information.ToString(),
            ["Logging:LogLevel:MirrorGate.*"] = user["Logging:LogLevel:Default"] ?? level,
            // What a config.yaml edit did (applied, waits for a restart, refused) is an answer to the
            // operator's own action, like the start-up lines: shown at any level.
            ["Logging:LogLevel:" + typeof(ConfigFileWatcher).FullName] = Min(nginx.ErrorLogLevel, LogLevel.Information),
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = Max(nginx.ErrorLogLevel, LogLevel.Warning),
            ["Logging:LogLevel:Microsoft.Extensions.Hosting.Internal.Host"] = LogLevel.Critical.ToString(),
        };

        // The user's own setting for YARP (any of its prefixes) wins over ours for the forwarder.
        if (nginx.ErrorLogLevel > LogLevel.Debug
            && new[] { "Yarp", "Yarp.ReverseProxy", "Yarp.ReverseProxy.Forwarder" }.All(c => user[$"Logging:LogLevel:{c}"] is null))
        {
            defaults["Logging:LogLevel:" + YarpForwarderCategory] = Max(nginx.ErrorLogLevel, LogLevel.Error);
        }

        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = defaults });
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fff ";
        });

        if (nginx.ErrorLog is { } path)
        {
            var file = ErrorLogFileProvider.Open(path);
            file.ReopenOnSignal();
            builder.Services.AddSingleton(_ => file);
            builder.Services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<ErrorLogFileProvider>());
        }

        static string Max(LogLevel a, LogLevel b) => (a > b ? a : b).ToString();
        static string Min(LogLevel a, LogLevel b) => (a < b ? a : b).ToString();
    }

    /// <summary>YARP's <c>HttpForwarder</c>: "Proxying to ...", "Received HTTP/1.1 response ..." and forwarding errors.</summary>
    internal const string YarpForwarderCategory = "Yarp.ReverseProxy.Forwarder.HttpForwarder";

    private static void AddServices(IServiceCollection services, NodeBootstrap bootstrap)
    {
        var config = bootstrap.Config;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(config);
        services.AddSingleton(sp => new NodeSettings(config, bootstrap.MirrorSettings, sp.GetRequiredService<ILogger<NodeSettings>>()));
        services.AddSingleton(sp => new ConfigFileWatcher(
            bootstrap.ConfigPath,
            config,
            sp.GetRequiredService<ILogger<ConfigFileWatcher>>(),
            sp.GetRequiredService<TimeProvider>(),
            prepare: c => AdminKeyBootstrap.Apply(c).Config));

        services.AddSingleton<IConfigStore>(sp =>
        {
            if (config.Deployment.ConfigProvider == ConfigProvider.Sqlite)
            {
                return new SqliteConfigStore(config.Deployment.SqlitePath, sp.GetRequiredService<ILogger<SqliteConfigStore>>());
            }

            var provider = bootstrap.StoreProviders.FirstOrDefault(p => p.Provider == config.Deployment.ConfigProvider)
                ?? throw new ConfigException($"deployment.role_traditional.config_provider: {config.Deployment.ConfigProvider.ToString().ToLowerInvariant()} is not available in this executable");
            return provider.Create(config, sp);
        });

        services.AddSingleton(new PluginRegistry(BuiltInPlugins.Create(config), config.Plugins));
        services.AddMetrics();
        services.AddSingleton(sp => new PrometheusExporter(
            logger: sp.GetRequiredService<ILogger<PrometheusExporter>>(),
            scope: sp.GetRequiredService<IMeterFactory>()));
        services.AddSingleton(sp =>
        {
            // Start listening before any instrument exists, so no measurement is missed.
            sp.GetRequiredService<PrometheusExporter>();
            return new MirrorMetrics(sp.GetRequiredService<IMeterFactory>());
        });
        services.AddSingleton(sp => new MirrorMemoryBudget(() => sp.GetRequiredService<NodeSettings>().Mirror.MaxBufferedBytes));
        services.AddSingleton(sp => new MirrorFailureLog(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MirrorFailureLog>>()));
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<NodeSettings>();
            return new MirrorSender(() => settings.Mirror, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<NodeSettings>();
            return new MirrorDispatcher(
                sp.GetRequiredService<MirrorSender>(),
                () => settings.Mirror,
                sp.GetRequiredService<MirrorMetrics>(),
                sp.GetRequiredService<MirrorMemoryBudget>(),
                sp.GetRequiredService<MirrorFailureLog>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<MirrorDispatcher>>());
        });
        // marker_header is read at start-up: the Admin API, the metrics listener and every copy agree on it until restart.
        services.AddSingleton(new MirrorMarker(bootstrap.NodeId.Id, bootstrap.MirrorSettings.MarkerHeader));
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<NodeSettings>();
            return new MirrorRuntime(
                sp.GetRequiredService<MirrorDispatcher>(),
                sp.GetRequiredService<MirrorMetrics>(),
                () => settings.Mirror,
                Random.Shared.NextDouble,
                sp.GetRequiredService<MirrorMarker>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<MirrorCircuit>());
        });

        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<PrometheusExporter>();
            return new CompareMetrics(sp.GetRequiredService<IMeterFactory>());
        });
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<NodeSettings>();
            return new CompareBudget(() => settings.Mirror.CompareMaxBytes, sp.GetRequiredService<CompareMetrics>());
        });
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<NodeSettings>();
            var metrics = sp.GetRequiredService<CompareMetrics>();
            return new CompareResults(
                metrics,
                sp.GetRequiredService<TimeProvider>(),
                new MismatchLogWriter(() => settings.Mirror.CompareLog, metrics, sp.GetRequiredService<ILogger<MismatchLogWriter>>()));
        });
        services.AddSingleton(sp => new CompareServices(
            sp.GetRequiredService<CompareResults>(), sp.GetRequiredService<CompareBudget>(), sp.GetRequiredService<TimeProvider>()));

        services.AddHttpForwarder();
        services.AddSingleton<UpstreamModelFactory>();
        services.AddSingleton(new FieldEncryption(config.DataEncryption));
        services.AddSingleton<SnapshotBuilder>();
        services.AddSingleton<SnapshotHolder>();
        services.AddSingleton<SnapshotRefresher>();
        services.AddHostedService(sp => sp.GetRequiredService<SnapshotRefresher>());
        var apisixMetrics = ApisixMetricsSettings.From(config);
        services.AddSingleton<RequestCounts>();
        services.AddSingleton(sp =>
        {
            var metrics = new ApisixMetrics(apisixMetrics, sp.GetRequiredService<SnapshotHolder>(), sp.GetRequiredService<ProxyConnectionCounters>(),
                sp.GetRequiredService<RequestCounts>(), sp.GetRequiredService<IConfigStore>());
            sp.GetRequiredService<PrometheusExporter>().AddSource(metrics);
            return metrics;
        });
        services.AddSingleton<ICompletedRequestObserver>(sp => sp.GetRequiredService<ApisixMetrics>());
        AccessLogServices.Add(services, config);
        services.AddSingleton<RequestObservers>();
        services.AddSingleton(new ServerHeader(config.EnableServerTokens));
        services.AddSingleton<ProxyMiddleware>();

        var admin = config.Deployment.Admin;
        services.AddSingleton(new AdminAuthenticator(
            admin.Keys.Select(k => new AdminKey(k.Name, k.Key, k.Role == AdminRole.Viewer)).ToArray(),
            admin.AllowAdmin,
            admin.KeyRequired));
        services.AddSingleton<ResourceApi>();
        services.AddSingleton<ConsumerApi>();
        services.AddSingleton<PluginApi>();
        services.AddSingleton<MirrorMismatchApi>();
        services.AddSingleton<MirrorSeriesReader>();
        services.AddSingleton<DashboardSnapshotBuilder>();
        services.AddSingleton<MirrorDashboardApi>();
        services.AddSingleton<DashboardPage>();
        services.AddSingleton<AdminApiMiddleware>();
    }

    private static Task NotFound(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 17, Level = LogLevel.Information, Message = "MirrorGate {Version} starting with {ConfigPath}")]
    private static partial void LogStarting(ILogger logger, string version, string configPath);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Listening for {What} on {Address}")]
    private static partial void LogListening(ILogger logger, string what, string address);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Configuration store: {Store} at {Location} ({Reason})")]
    private static partial void LogStore(ILogger logger, string store, string location, string reason);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Admin API key {How} {Path}")]
    private static partial void LogAdminKey(ILogger logger, string how, string path);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Enabled plugins: {Plugins}")]
    private static partial void LogPlugins(ILogger logger, string plugins);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Internal h2c hand-off endpoint on {Address}: it only lends its HTTP/2 pipeline to enable_http2 ports and closes connections made to it")]
    private static partial void LogH2cHandOff(ILogger logger, string address);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Node id {NodeId} ({Source}); mirror copies carry it in {MarkerHeader}")]
    private static partial void LogNodeId(ILogger logger, string nodeId, string source, string markerHeader);

    [LoggerMessage(EventId = 18, Level = LogLevel.Information, Message = "Stopping: new connections are refused, requests in flight may finish")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "config.yaml: {Warning}")]
    private static partial void LogConfigWarning(ILogger logger, string warning);
}

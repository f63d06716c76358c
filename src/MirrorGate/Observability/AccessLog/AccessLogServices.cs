using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Pipeline;

namespace MirrorGate.Observability.AccessLog;

/// <summary>Wires the access log into a node from <c>nginx_config.http.*</c>; nothing at all when it is off.</summary>
internal static partial class AccessLogServices
{
    public static void Add(IServiceCollection services, NodeConfig config)
    {
        var http = config.Nginx.Http;
        if (!http.EnableAccessLog)
        {
            return;
        }

        services.AddSingleton(sp =>
        {
            // Start listening before any instrument exists, so no measurement is missed.
            sp.GetRequiredService<PrometheusExporter>();
            return new AccessLogMetrics(sp.GetRequiredService<IMeterFactory>());
        });
        services.AddSingleton<ICompletedRequestObserver>(sp => Create(config, sp));
    }

    private static AccessLogObserver Create(NodeConfig config, IServiceProvider services)
    {
        var http = config.Nginx.Http;
        AccessLogFormat format;
        try
        {
            format = AccessLogFormat.Parse(http.AccessLogFormat);
        }
        catch (FormatException ex)
        {
            // NginxConfigReader has refused it already; this guards a config built in code.
            throw new ConfigException(config.Source, "nginx_config.http.access_log_format", ex.Message);
        }

        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<AccessLogWriter>();
        var queueBytes = AccessLogWriter.QueueBytesFor(http.AccessLogBuffer);
        AccessLogWriter writer;
        try
        {
            writer = new AccessLogWriter(http.AccessLog, http.AccessLogBuffer, queueBytes, services.GetRequiredService<AccessLogMetrics>(), time, logger);
        }
        catch (IOException ex)
        {
            throw new ConfigException(config.Source, "nginx_config.http.access_log", $"cannot open {http.AccessLog} for writing: {ex.Message}");
        }

        LogWriting(logger, http.AccessLog, http.AccessLogFormatEscape.ToString().ToLowerInvariant(), queueBytes);
        var signal = AccessLogFile.IsFile(http.AccessLog) ? ReopenSignal.Register(writer.RequestReopen) : null;
        return new AccessLogObserver(new AccessLogLineFormatter(format, http.AccessLogFormatEscape, new AccessLogClock(time)), writer, signal);
    }

    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Access log: {Path} (escape {Escape}, queue {QueueBytes} bytes; SIGUSR1 reopens it)")]
    private static partial void LogWriting(ILogger logger, string path, string escape, long queueBytes);
}

using Microsoft.Extensions.Logging;
using MirrorGate.Observability.AccessLog;

namespace MirrorGate.Configuration;

/// <summary>Reads <c>nginx_config</c>: the keys the node uses; APISIX's others are accepted with a warning.</summary>
internal static class NginxConfigReader
{
    private static readonly Dictionary<string, LogLevel> Levels = new(StringComparer.Ordinal)
    {
        ["debug"] = LogLevel.Debug,
        ["info"] = LogLevel.Information,
        ["notice"] = LogLevel.Information,
        ["warn"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
        ["crit"] = LogLevel.Critical,
        ["alert"] = LogLevel.Critical,
        ["emerg"] = LogLevel.Critical,
    };

    public static NginxConfig Read(ConfigSection nginx)
    {
        var levelName = nginx.String("error_log_level", "warn")!;
        if (!Levels.TryGetValue(levelName, out var level))
        {
            throw nginx.Invalid(nginx.KeyPath("error_log_level"), "expected one of debug, info, notice, warn, error, crit, alert, emerg", nginx.Raw("error_log_level", out _));
        }

        var errorLog = nginx.String("error_log", null);
        if (errorLog is { Length: 0 })
        {
            throw nginx.Invalid(nginx.KeyPath("error_log"), "expected a file path", nginx.Raw("error_log", out _));
        }

        var http = nginx.Section("http");
        var enable = http.Bool("enable_access_log", true);
        var accessLog = http.String("access_log", HttpLogConfig.DefaultAccessLogPath)!;
        if (accessLog.Length == 0)
        {
            throw http.Invalid(http.KeyPath("access_log"), "expected a file path or /dev/stdout", http.Raw("access_log", out _));
        }

        var format = http.String("access_log_format", NginxConfig.DefaultAccessLogFormat)!;
        try
        {
            AccessLogFormat.Parse(format);
        }
        catch (FormatException ex)
        {
            throw http.Invalid(http.KeyPath("access_log_format"), ex.Message, http.Raw("access_log_format", out _));
        }

        var escapeName = http.String("access_log_format_escape", "default");
        var escape = escapeName switch
        {
            "default" => AccessLogEscape.Default,
            "json" => AccessLogEscape.Json,
            _ => throw http.Invalid(http.KeyPath("access_log_format_escape"), "expected default or json", http.Raw("access_log_format_escape", out _)),
        };
        var buffer = http.Int("access_log_buffer", 16384, 0, 64 * 1024 * 1024);
        http.CheckUnknownKeys();
        nginx.CheckUnknownKeys();
        return new NginxConfig(
            level,
            levelName,
            errorLog is null ? null : FullPath(errorLog),
            new HttpLogConfig(enable, FullPath(accessLog), format, escape, buffer));
    }

    /// <summary>Relative paths resolve against the working directory, as <c>logs/...</c> does in APISIX's prefix.</summary>
    private static string FullPath(string path) => path.StartsWith("/dev/", StringComparison.Ordinal) ? path : Path.GetFullPath(path);
}

using Microsoft.Extensions.Logging;

namespace MirrorGate.Configuration;

/// <summary>
/// <c>nginx_config.*</c>: the node's logs, in APISIX's keys. Read at start-up; a change applies
/// when the node restarts (APISIX, too, only renders nginx.conf when it starts or reloads).
/// </summary>
/// <param name="ErrorLogLevel"><c>error_log_level</c> (nginx's names, <c>warn</c> by default) as the level of library lines; the node's own start-up lines stay.</param>
/// <param name="ErrorLog"><c>error_log</c>: a file that gets the log lines as well as the console, as a full path; null when absent.</param>
/// <param name="Http"><c>nginx_config.http.*</c>.</param>
internal sealed record NginxConfig(LogLevel ErrorLogLevel, string ErrorLogLevelName, string? ErrorLog, HttpLogConfig Http)
{
    /// <summary>APISIX's default access log format (config-default.yaml).</summary>
    public const string DefaultAccessLogFormat =
        "$remote_addr - $remote_user [$time_local] $http_host \"$request\" $status $body_bytes_sent $request_time \"$http_referer\" \"$http_user_agent\" $upstream_addr $upstream_status $upstream_response_time \"$upstream_scheme://$upstream_host$upstream_uri\"";

    public static NginxConfig Default { get; } = new(LogLevel.Warning, "warn", null, HttpLogConfig.Default);
}

/// <summary><c>nginx_config.http.*</c>: the access log.</summary>
/// <param name="EnableAccessLog"><c>enable_access_log</c>, true by default.</param>
/// <param name="AccessLog"><c>access_log</c>: a full path, or <c>/dev/stdout</c>; default <c>logs/access.log</c> under the working directory.</param>
/// <param name="AccessLogFormat"><c>access_log_format</c>: nginx variables in text.</param>
/// <param name="AccessLogFormatEscape"><c>access_log_format_escape</c>: <c>default</c> (nginx's \xHH) or <c>json</c>.</param>
/// <param name="AccessLogBuffer"><c>access_log_buffer</c>: bytes kept before a write, 16384 by default as APISIX.</param>
internal sealed record HttpLogConfig(bool EnableAccessLog, string AccessLog, string AccessLogFormat, AccessLogEscape AccessLogFormatEscape, int AccessLogBuffer)
{
    public const string DefaultAccessLogPath = "logs/access.log";

    public static HttpLogConfig Default { get; } = new(true, Path.GetFullPath(DefaultAccessLogPath), NginxConfig.DefaultAccessLogFormat, AccessLogEscape.Default, 16384);
}

/// <summary>How variable values are escaped in the access log (nginx's <c>escape=</c>).</summary>
internal enum AccessLogEscape
{
    /// <summary>nginx's default: <c>"</c>, <c>\</c> and bytes below 32 or above 126 as <c>\xHH</c>.</summary>
    Default,

    /// <summary>JSON string escaping, for formats that write JSON.</summary>
    Json,
}

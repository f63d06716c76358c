using System.Text.Json.Nodes;
using MirrorGate.Configuration;

namespace MirrorGate.Mirroring;

/// <summary>
/// Node settings of the mirror leg, from <c>plugin_attr.proxy-mirror</c> in config.yaml.
/// Every setting applies without restart: each copy, connection and write reads the settings
/// in force at that moment.
/// </summary>
internal sealed record ProxyMirrorSettings
{
    /// <summary>APISIX's defaults: 60 s each, as nginx's proxy_*_timeout.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Largest body copied to a mirror (10 MiB). A larger body skips the mirror (counted) rather
    /// than sending it truncated; the primary is unaffected.
    /// </summary>
    public long MaxBodySize { get; init; } = 10L * 1024 * 1024;

    /// <summary>Bytes of mirror bodies held at once across the node (256 MiB); beyond it mirrors are dropped.</summary>
    public long MaxBufferedBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Mirror copies accepted but not yet written to a mirror (4096); when full, new ones are dropped and counted.</summary>
    public int QueueSize { get; init; } = 4096;

    /// <summary>Connections per mirror host (256); for gRPC mirrors, copies in flight per host.</summary>
    public int Concurrency { get; init; } = 256;

    /// <summary>
    /// Unanswered copies one HTTP/1.1 connection may carry (16): copies are pipelined onto a
    /// connection while the mirror answers promptly. 1 turns pipelining off.
    /// </summary>
    public int PipelineDepth { get; init; } = 16;

    /// <summary>Whether https/grpcs mirror certificates are verified (off by default, as APISIX).</summary>
    public bool VerifyTls { get; init; }

    /// <summary>Bytes held for shadow comparisons across the node (64 MiB); beyond it comparisons are skipped, never copies.</summary>
    public long CompareMaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>File to which each mismatch is appended as one JSON line; null (the default) keeps them in memory only.</summary>
    public string? CompareLog { get; init; }

    /// <summary>
    /// The name of the header every copy carries (<c>marker_header</c>, default
    /// <c>X-MirrorGate-Mirror</c>). Read at start-up only: a changed name applies at the next
    /// restart (the node's own Admin API and metrics refusals use it, and every node of a cluster
    /// should agree on it).
    /// </summary>
    public string MarkerHeader { get; init; } = MirrorMarker.DefaultHeaderName;

    public static readonly ProxyMirrorSettings Default = new();

    /// <summary>Reads <c>plugin_attr.proxy-mirror</c>; throws <see cref="ConfigException"/> naming the key on a bad value.</summary>
    public static ProxyMirrorSettings FromPluginAttr(JsonObject? pluginAttr)
    {
        const string Prefix = "plugin_attr.proxy-mirror";
        if (pluginAttr?["proxy-mirror"] is not JsonObject attr)
        {
            return Default;
        }

        var settings = Default;
        if (attr["timeout"] is JsonObject timeout)
        {
            settings = settings with
            {
                ConnectTimeout = ReadTime(timeout, "connect", $"{Prefix}.timeout.connect", settings.ConnectTimeout),
                SendTimeout = ReadTime(timeout, "send", $"{Prefix}.timeout.send", settings.SendTimeout),
                ReadTimeout = ReadTime(timeout, "read", $"{Prefix}.timeout.read", settings.ReadTimeout),
            };
        }
        else if (attr["timeout"] is not null)
        {
            throw new ConfigException($"{Prefix}.timeout: expected a mapping with connect, read and send");
        }

        return settings with
        {
            MaxBodySize = ReadSize(attr, "max_body_size", $"{Prefix}.max_body_size", settings.MaxBodySize),
            MaxBufferedBytes = ReadSize(attr, "max_buffered_bytes", $"{Prefix}.max_buffered_bytes", settings.MaxBufferedBytes),
            QueueSize = (int)ReadInt(attr, "queue_size", $"{Prefix}.queue_size", settings.QueueSize, 1, 1_000_000),
            Concurrency = (int)ReadInt(attr, "concurrency", $"{Prefix}.concurrency", settings.Concurrency, 1, 100_000),
            PipelineDepth = (int)ReadInt(attr, "pipeline_depth", $"{Prefix}.pipeline_depth", settings.PipelineDepth, 1, 1024),
            VerifyTls = ReadBool(attr, "verify_tls", $"{Prefix}.verify_tls", settings.VerifyTls),
            CompareMaxBytes = ReadSize(attr, "compare_max_bytes", $"{Prefix}.compare_max_bytes", settings.CompareMaxBytes),
            CompareLog = ReadPath(attr, "compare_log", $"{Prefix}.compare_log"),
            MarkerHeader = ReadMarker(attr, $"{Prefix}.marker_header"),
        };
    }

    private static string ReadMarker(JsonObject attr, string key)
    {
        if (attr["marker_header"] is not { } node)
        {
            return MirrorMarker.DefaultHeaderName;
        }

        var name = node.ToString();
        return MirrorHeaderNames.MarkerProblem(name) is { } problem
            ? throw new ConfigException($"{key}: \"{name}\" cannot name the mirror marker: {problem}")
            : name;
    }

    private static TimeSpan ReadTime(JsonObject obj, string name, string key, TimeSpan fallback)
    {
        var node = obj[name];
        if (node is null)
        {
            return fallback;
        }

        var text = node.ToString();
        if (NginxTime.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        throw new ConfigException($"{key}: expected a time such as 60s, 2000ms or 1m, got \"{text}\"");
    }

    private static long ReadSize(JsonObject obj, string name, string key, long fallback)
    {
        var node = obj[name];
        if (node is null)
        {
            return fallback;
        }

        if (NginxSize.TryParse(node.ToString(), out var value) && value >= 0)
        {
            return value;
        }

        throw new ConfigException($"{key}: expected a size such as 10m, 512k or a number of bytes, got \"{node}\"");
    }

    private static string? ReadPath(JsonObject obj, string name, string key)
    {
        var node = obj[name];
        if (node is null)
        {
            return null;
        }

        var text = node.ToString();
        if (node.GetValueKind() == System.Text.Json.JsonValueKind.String && text.Length > 0 && text.IndexOfAny(Path.GetInvalidPathChars()) < 0)
        {
            return text;
        }

        throw new ConfigException($"{key}: expected the path of a file, got \"{node}\"");
    }

    private static long ReadInt(JsonObject obj, string name, string key, long fallback, long min, long max)
    {
        var node = obj[name];
        if (node is null)
        {
            return fallback;
        }

        if (long.TryParse(node.ToString(), out var value) && value >= min && value <= max)
        {
            return value;
        }

        throw new ConfigException($"{key}: expected an integer between {min} and {max}, got \"{node}\"");
    }

    private static bool ReadBool(JsonObject obj, string name, string key, bool fallback)
    {
        var node = obj[name];
        if (node is null)
        {
            return fallback;
        }

        if (bool.TryParse(node.ToString(), out var value))
        {
            return value;
        }

        throw new ConfigException($"{key}: expected true or false, got \"{node}\"");
    }
}

using System.Text.Json.Nodes;
using MirrorGate.Mirroring;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>How <c>path</c> combines with the request path (APISIX's <c>path_concat_mode</c>).</summary>
internal enum PathConcatMode
{
    Replace,
    Prefix,
}

/// <summary>One route's proxy-mirror config, typed, with APISIX's defaults applied.</summary>
internal sealed class ProxyMirrorConfig
{
    private ProxyMirrorConfig(string host, MirrorOrigin origin, string? path, PathConcatMode mode, double sampleRatio)
    {
        Host = host;
        Origin = origin;
        Path = path;
        Mode = mode;
        SampleRatio = sampleRatio;
    }

    /// <summary>The <c>host</c> as configured, e.g. <c>http://127.0.0.1:1986</c>; also the metrics' target label.</summary>
    public string Host { get; }

    /// <summary>The <c>host</c> parsed once: scheme, host and port the copies go to.</summary>
    public MirrorOrigin Origin { get; }

    /// <summary>The scheme and authority requests are sent to: grpc becomes http (h2c), grpcs becomes https.</summary>
    public string BaseUri => Origin.BaseUri;

    public bool IsGrpc => Origin.IsGrpc;

    public string? Path { get; }

    public PathConcatMode Mode { get; }

    /// <summary>Share of requests mirrored, 0.00001 to 1 (default 1: all).</summary>
    public double SampleRatio { get; }

    /// <summary>Reads a config that already passed the plugin schema and <see cref="ProxyMirrorPlugin.Check"/>.</summary>
    public static ProxyMirrorConfig FromJson(JsonObject config)
    {
        var host = config["host"]!.GetValue<string>();
        if (!MirrorOrigin.TryParse(host, out var origin, out var error))
        {
            throw new InvalidOperationException($"proxy-mirror host \"{host}\" was not checked before compiling: {error}");
        }

        var path = config["path"]?.GetValue<string>();
        var mode = config["path_concat_mode"]?.GetValue<string>() == "prefix" ? PathConcatMode.Prefix : PathConcatMode.Replace;
        var ratio = config["sample_ratio"]?.GetValue<double>() ?? 1.0;
        return new ProxyMirrorConfig(host, origin!, path, mode, ratio);
    }

    /// <summary>
    /// The path and query the mirror receives, as APISIX builds it: the upstream URI (or the
    /// request path with its percent-encoding and the original query), then <c>path</c> in
    /// replace or prefix mode. gRPC mirrors take the request path only.
    /// </summary>
    public string BuildPathAndQuery(string requestPath, string query, string? upstreamUri)
    {
        if (IsGrpc)
        {
            var uri = upstreamUri ?? requestPath;
            var q = uri.IndexOf('?');
            return q < 0 ? uri : uri[..q];
        }

        var current = upstreamUri ?? requestPath + query;
        if (Path is null)
        {
            return current;
        }

        return Mode == PathConcatMode.Prefix ? Path + current : Path + query;
    }
}

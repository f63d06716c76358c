using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MirrorGate.Balancing;
using MirrorGate.Http;
using MirrorGate.Resources;
using Yarp.ReverseProxy.Forwarder;

namespace MirrorGate.Snapshot;

/// <summary>
/// Compiles an upstream's JSON into an <see cref="UpstreamModel"/>: its balancer (with health
/// checks when configured), its own pooled invoker with the connect timeout and keepalive pool,
/// and the forwarding settings. Called only when an upstream is new or changed.
/// </summary>
internal sealed class UpstreamModelFactory(TimeProvider time, ILoggerFactory loggerFactory)
{
    public UpstreamModel Create(string key, JsonObject upstream, UpstreamTimeouts? routeTimeout)
    {
        var scheme = upstream["scheme"]?.GetValue<string>() ?? "http";
        var timeouts = routeTimeout ?? ReadTimeouts(upstream["timeout"] as JsonObject) ?? UpstreamTimeouts.Default;
        var health = HealthChecker.Create(upstream, time, loggerFactory.CreateLogger<HealthChecker>());
        var balancer = LoadBalancerFactory.Create(upstream, health);
        var isGrpc = scheme is "grpc" or "grpcs";
        var transport = scheme is "https" or "grpcs" ? "https" : "http";

        return new UpstreamModel
        {
            Key = key,
            Scheme = scheme,
            Balancer = balancer,
            Health = health,
            Invoker = CreateInvoker(upstream, timeouts),
            DestinationPrefixes = balancer.Nodes.ToDictionary(n => n, n => $"{transport}://{n.Authority}"),
            PassHost = (upstream["pass_host"]?.GetValue<string>()) switch
            {
                "node" => PassHostMode.Node,
                "rewrite" => PassHostMode.Rewrite,
                _ => PassHostMode.Pass,
            },
            UpstreamHost = upstream["upstream_host"]?.GetValue<string>(),
            Retries = JsonInteger.ToInt32OrNull(upstream["retries"]),
            RetryTimeout = upstream["retry_timeout"] is JsonNode rt ? TimeSpan.FromSeconds(rt.GetValue<double>()) : TimeSpan.Zero,
            Timeouts = timeouts,
            RequestConfig = new ForwarderRequestConfig
            {
                // nginx's read timeout is the longest wait between two reads; YARP's activity
                // timeout is the same idea (reset on every bit of progress), so it carries both
                // the send and read timeouts, whichever is larger.
                ActivityTimeout = timeouts.Read > timeouts.Send ? timeouts.Read : timeouts.Send,
                Version = isGrpc ? HttpVersion.Version20 : HttpVersion.Version11,
                VersionPolicy = isGrpc ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
            },
        };
    }

    public static UpstreamTimeouts? ReadTimeouts(JsonObject? timeout)
    {
        if (timeout is null)
        {
            return null;
        }

        static TimeSpan Seconds(JsonNode? node) => node is null ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(node.GetValue<double>());
        return new UpstreamTimeouts(Seconds(timeout["connect"]), Seconds(timeout["send"]), Seconds(timeout["read"]));
    }

    private static HttpMessageInvoker CreateInvoker(JsonObject upstream, UpstreamTimeouts timeouts)
    {
        var pool = upstream["keepalive_pool"] as JsonObject;
        // APISIX does not verify upstream certificates unless tls.verify is set.
        var handler = OutgoingHandler.Create(
            timeouts.Connect,
            verifyCertificates: upstream["tls"]?["verify"]?.GetValue<bool>() ?? false,
            pool?["idle_timeout"] is JsonNode idle ? TimeSpan.FromSeconds(idle.GetValue<double>()) : null);
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }
}

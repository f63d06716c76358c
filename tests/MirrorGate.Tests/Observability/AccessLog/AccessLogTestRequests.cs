using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MirrorGate.Balancing;
using MirrorGate.Configuration;
using MirrorGate.Observability.AccessLog;
using MirrorGate.Pipeline;
using MirrorGate.Snapshot;
using Yarp.ReverseProxy.Forwarder;

namespace MirrorGate.Tests.Observability.AccessLog;

/// <summary>Finished exchanges to format, and a clock fixed at 2026-11-27 13:45:01.123 UTC in a chosen zone.</summary>
internal static class AccessLogTestRequests
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 13, 45, 1, 123, TimeSpan.Zero);

    public static readonly UpstreamNode First = new("127.0.0.1", 1980, 1, 0);

    public static readonly UpstreamNode Second = new("127.0.0.2", 1981, 1, 0);

    /// <summary>A GET the client sent as <c>GET /a/b?x=1&amp;y=%41 HTTP/1.1</c> from 10.0.0.7:50123 to 192.168.1.5:9080.</summary>
    public static DefaultHttpContext NewHttp()
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Scheme = "http";
        http.Request.Protocol = "HTTP/1.1";
        http.Request.Path = "/a/b";
        http.Request.QueryString = new QueryString("?x=1&y=%41");
        http.Features.Get<IHttpRequestFeature>()!.RawTarget = "/a/b?x=1&y=%41";
        http.Request.Headers.Host = "Api.Example:8080";
        http.Request.Headers.UserAgent = "curl/8.5.0";
        http.Connection.RemoteIpAddress = IPAddress.Parse("10.0.0.7");
        http.Connection.RemotePort = 50123;
        http.Connection.LocalIpAddress = IPAddress.Parse("192.168.1.5");
        http.Connection.LocalPort = 9080;
        http.Connection.Id = "0HN1";
        http.TraceIdentifier = "0HN1:00000001";
        http.Response.StatusCode = 200;
        return http;
    }

    /// <summary>Proxied on route r1 (name orders, service 7) as consumer jack to an https upstream: a 502 on the first node, then 200 on the second.</summary>
    public static ProxyContext Proxied(HttpContext http)
    {
        var upstream = new UpstreamModel
        {
            Key = "u",
            Scheme = "https",
            Balancer = new RoundRobinBalancer([First, Second], null),
            Invoker = new HttpMessageInvoker(new SocketsHttpHandler()),
            DestinationPrefixes = new Dictionary<UpstreamNode, string>(),
            RequestConfig = ForwarderRequestConfig.Empty,
        };
        var route = new RouteModel
        {
            Id = "r1",
            Config = JsonNode.Parse("""{"uri":"/a/*","name":"orders","service_id":7}""")!.AsObject(),
            Plugins = PluginChain.Empty,
            Upstream = upstream,
        };
        return new ProxyContext(http, route)
        {
            Node = Second,
            UpstreamHost = "backend.internal",
            EarlierAttempts = [new UpstreamAttempt(First, 502, TimeSpan.FromMilliseconds(1))],
            LastAttempt = new UpstreamAttempt(Second, 200, TimeSpan.FromMilliseconds(4)),
            Consumer = new MirrorGate.Consumers.ConsumerModel("jack", null, [], 1),
        };
    }

    public static CompletedRequest Completed(HttpContext http, ProxyContext? proxy, long requestBody = 0, long responseBody = 11) => new()
    {
        Http = http,
        Proxy = proxy,
        StartTimestamp = 0,
        EndTimestamp = Stopwatch.Frequency * 123 / 1000,
        RequestBodyBytes = requestBody,
        ResponseBodyBytes = responseBody,
    };

    /// <summary>The line without its final newline.</summary>
    public static string Render(string format, in CompletedRequest request, AccessLogEscape escape = AccessLogEscape.Default, TimeSpan? zone = null)
    {
        var formatter = new AccessLogLineFormatter(AccessLogFormat.Parse(format), escape, new AccessLogClock(new FixedTime(Now, zone ?? TimeSpan.Zero)));

        // A small start, so growing the pooled array is exercised by every test.
        var line = new AccessLogLineBuilder(16, escape);
        try
        {
            formatter.Format(ref line, request);
            var text = Encoding.UTF8.GetString(line.Written);
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            return text[..^1];
        }
        finally
        {
            line.Dispose();
        }
    }

    public sealed class FixedTime(DateTimeOffset now, TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone { get; } = TimeZoneInfo.CreateCustomTimeZone("test", offset, "test", "test");
    }
}

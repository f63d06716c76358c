using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Balancing;
using MirrorGate.Observability.Apisix;
using MirrorGate.Pipeline;
using MirrorGate.Snapshot;

namespace MirrorGate.Tests.Observability.Apisix;

public sealed class ApisixMetricsTests
{
    private static ApisixMetrics Create(ApisixMetricsSettings? settings = null) =>
        new(settings ?? ApisixMetricsSettings.Default, new SnapshotHolder(), new ProxyConnectionCounters(), new RequestCounts(), store: null, hostname: "h1", version: "9.9.9");

    private static RouteModel Route(string id, string service = "", IReadOnlyList<string>? hosts = null, string? name = null, string? serviceName = null) => new()
    {
        Id = id,
        ServiceId = service,
        Name = name,
        ServiceName = serviceName,
        Hosts = hosts,
        Config = new JsonObject(),
        Plugins = PluginChain.Empty,
    };

    /// <summary>What a global rule's prometheus gives a request that matched no route: a context whose route has the id "".</summary>
    private static ProxyContext NoRoute(HttpContext http) => new(http, Route("")) { ApisixHttpMetrics = ApisixHttpMetricsMark.Ids };

    private static ProxyContext Marked(HttpContext http, RouteModel route, string matchedUri = "/x", ApisixHttpMetricsMark mark = ApisixHttpMetricsMark.Ids)
        => new(http, route) { MatchedUri = matchedUri, ApisixHttpMetrics = mark };

    private static CompletedRequest Request(HttpContext http, ProxyContext? proxy, double totalMs = 7) => new()
    {
        Http = http,
        Proxy = proxy,
        StartTimestamp = 0,
        EndTimestamp = (long)(totalMs * Stopwatch.Frequency / 1000),
        RequestBodyBytes = 10,
        ResponseBodyBytes = 20,
    };

    private static DefaultHttpContext Http(int status, string host = "example.com")
    {
        var http = new DefaultHttpContext();
        http.Request.Method = "GET";
        http.Request.Path = "/x";
        http.Request.Protocol = "HTTP/1.1";
        http.Request.Host = new HostString(host);
        http.Response.StatusCode = status;
        return http;
    }

    private static string Render(ApisixMetrics metrics)
    {
        using var writer = new StringWriter();
        metrics.WriteTo(writer);
        return writer.ToString();
    }

    [Fact]
    public void OnCompleted_NotMarked_NoHttpSeriesNodeGaugesStay()
    {
        var metrics = Create();
        var http = Http(200);

        metrics.OnCompleted(Request(http, new ProxyContext(http, Route("r1")) { MatchedUri = "/x" }));
        metrics.OnCompleted(Request(Http(404), null));

        var text = Render(metrics);
        Assert.DoesNotContain("apisix_http_status", text, StringComparison.Ordinal);
        Assert.DoesNotContain("apisix_http_latency", text, StringComparison.Ordinal);
        Assert.DoesNotContain("apisix_bandwidth", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE apisix_http_requests_total gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("apisix_node_info{hostname=\"h1\",version=\"9.9.9\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnCompleted_NoRouteMarkedByAGlobalRule_StatusCounterWithEmptyLabelsNoUpstreamLatency()
    {
        var metrics = Create();

        metrics.OnCompleted(Request(Http(404), NoRoute(Http(404))));
        metrics.OnCompleted(Request(Http(404), NoRoute(Http(404))));

        var text = Render(metrics);
        Assert.Contains("apisix_http_status{code=\"404\",route=\"\",matched_uri=\"\",matched_host=\"\",service=\"\",consumer=\"\",node=\"\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("apisix_http_latency_count{type=\"request\",route=\"\",service=\"\",consumer=\"\",node=\"\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("apisix_http_latency_count{type=\"apisix\",route=\"\",service=\"\",consumer=\"\",node=\"\"} 2\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("type=\"upstream\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnCompleted_ProxiedWithRetry_UpstreamLatencyIsTheAttemptsApisixTheRest()
    {
        var metrics = Create();
        var http = Http(200);
        var node = new UpstreamNode("10.0.0.2", 8080, 1, 0);
        var proxy = Marked(http, Route("r1", "s1"), "/api/*");
        proxy.Node = node;
        proxy.LastAttempt = new UpstreamAttempt(node, 200, TimeSpan.FromMilliseconds(3));
        proxy.EarlierAttempts = [new UpstreamAttempt(new UpstreamNode("10.0.0.1", 8080, 1, 0), 502, TimeSpan.FromMilliseconds(1))];

        metrics.OnCompleted(Request(http, proxy, totalMs: 10));

        var text = Render(metrics);
        Assert.Contains("apisix_http_status{code=\"200\",route=\"r1\",matched_uri=\"/api/*\",matched_host=\"\",service=\"s1\",consumer=\"\",node=\"10.0.0.2\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("apisix_http_latency_sum{type=\"upstream\",route=\"r1\",service=\"s1\",consumer=\"\",node=\"10.0.0.2\"} 4\n", text, StringComparison.Ordinal);
        Assert.Contains("apisix_http_latency_sum{type=\"apisix\",route=\"r1\",service=\"s1\",consumer=\"\",node=\"10.0.0.2\"} 6\n", text, StringComparison.Ordinal);
        Assert.Contains("apisix_http_latency_bucket{type=\"request\",route=\"r1\",service=\"s1\",consumer=\"\",node=\"10.0.0.2\",le=\"5\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("apisix_http_latency_bucket{type=\"request\",route=\"r1\",service=\"s1\",consumer=\"\",node=\"10.0.0.2\",le=\"10\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnCompleted_RouteWithSeveralHosts_MatchedHostIsThePatternThatMatched()
    {
        var metrics = Create();
        var route = Route("r1", hosts: ["foo.com", "*.bar.com"]);

        metrics.OnCompleted(Request(Http(200, "a.BAR.com:9080"), Marked(Http(200), route)));
        metrics.OnCompleted(Request(Http(200, "foo.com"), Marked(Http(200), route)));

        var text = Render(metrics);
        Assert.Contains("matched_host=\"*.bar.com\",service=\"\",consumer=\"\",node=\"\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("matched_host=\"foo.com\",service=\"\",consumer=\"\",node=\"\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnCompleted_Bandwidth_HeadsPlusBodies()
    {
        var metrics = Create();
        var http = Http(200);
        http.Request.Headers["Host"] = "example.com";
        http.Response.Headers["Content-Length"] = "20";

        metrics.OnCompleted(Request(http, NoRoute(http)));

        // "GET /x HTTP/1.1\r\n" + "Host: example.com\r\n" + "\r\n" + 10 body bytes.
        var ingress = "GET /x HTTP/1.1\r\n".Length + "Host: example.com\r\n".Length + 2 + 10;
        // "HTTP/1.1 200 OK\r\n" + "Content-Length: 20\r\n" + "\r\n" + 20 body bytes.
        var egress = "HTTP/1.1 200 OK\r\n".Length + "Content-Length: 20\r\n".Length + 2 + 20;
        var text = Render(metrics);
        Assert.Contains($"apisix_bandwidth{{type=\"ingress\",route=\"\",service=\"\",consumer=\"\",node=\"\"}} {ingress}\n", text, StringComparison.Ordinal);
        Assert.Contains($"apisix_bandwidth{{type=\"egress\",route=\"\",service=\"\",consumer=\"\",node=\"\"}} {egress}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_PrefixAndBucketsFromSettings_UsedForEveryFamily()
    {
        var metrics = Create(new ApisixMetricsSettings("gw_", [15, 55]));

        metrics.OnCompleted(Request(Http(200), NoRoute(Http(200)), totalMs: 20));

        var text = Render(metrics);
        Assert.DoesNotContain("apisix_", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE gw_http_status counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE gw_bandwidth counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE gw_http_latency histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE gw_http_requests_total gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE gw_nginx_http_current_connections gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("gw_node_info{hostname=\"h1\",version=\"9.9.9\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("le=\"15\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("le=\"55\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_FamiliesSortedByNameNoEtcdWithoutAnEtcdStore()
    {
        var metrics = Create();
        metrics.OnCompleted(Request(Http(200), NoRoute(Http(200))));

        var names = Render(metrics).Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToArray();

        Assert.Equal(
            ["apisix_bandwidth", "apisix_http_latency", "apisix_http_requests_total", "apisix_http_status", "apisix_nginx_http_current_connections", "apisix_node_info"],
            names);
    }

    [Theory]
    [InlineData("route_name", "service_name", "s1", "route_name", "service_name")]
    [InlineData("route_name", null, "s1", "route_name", "s1")]
    [InlineData(null, "service_name", "s1", "r1", "service_name")]
    [InlineData(null, null, "s1", "r1", "s1")]
    [InlineData("route_name", null, "", "route_name", "")]
    public void OnCompleted_PreferName_NamesWhereTheyAreIdsElsewhere(string? name, string? serviceName, string serviceId, string routeLabel, string serviceLabel)
    {
        // t/plugin/prometheus2.t TEST 38-49: each label falls back to the id on its own.
        var metrics = Create();
        var http = Http(200);

        metrics.OnCompleted(Request(http, Marked(http, Route("r1", serviceId, name: name, serviceName: serviceName), mark: ApisixHttpMetricsMark.Names)));

        var text = Render(metrics);
        Assert.Contains($"apisix_http_status{{code=\"200\",route=\"{routeLabel}\",matched_uri=\"/x\",matched_host=\"\",service=\"{serviceLabel}\",consumer=\"\",node=\"\"}} 1\n", text, StringComparison.Ordinal);
        Assert.Contains($"apisix_bandwidth{{type=\"egress\",route=\"{routeLabel}\",service=\"{serviceLabel}\",consumer=\"\",node=\"\"}} ", text, StringComparison.Ordinal);
        Assert.Contains($"apisix_http_latency_count{{type=\"request\",route=\"{routeLabel}\",service=\"{serviceLabel}\",consumer=\"\",node=\"\"}} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnCompleted_SameRouteByIdsAndByNames_EachLabelChoiceItsOwnSeries()
    {
        var metrics = Create();
        var route = Route("r1", "s1", name: "route_name", serviceName: "service_name");

        metrics.OnCompleted(Request(Http(200), Marked(Http(200), route, mark: ApisixHttpMetricsMark.Ids)));
        metrics.OnCompleted(Request(Http(200), Marked(Http(200), route, mark: ApisixHttpMetricsMark.Names)));
        metrics.OnCompleted(Request(Http(200), Marked(Http(200), route, mark: ApisixHttpMetricsMark.Names)));

        var text = Render(metrics);
        Assert.Contains("route=\"r1\",matched_uri=\"/x\",matched_host=\"\",service=\"s1\",consumer=\"\",node=\"\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("route=\"route_name\",matched_uri=\"/x\",matched_host=\"\",service=\"service_name\",consumer=\"\",node=\"\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnCompleted_RouteRecompiledWithNewName_NewLabelsOldSeriesKept()
    {
        // A renamed route or service is a new compiled route in the next snapshot: its labels are read again.
        var metrics = Create();

        metrics.OnCompleted(Request(Http(200), Marked(Http(200), Route("r1", "s1", name: "before", serviceName: "svc"), mark: ApisixHttpMetricsMark.Names)));
        metrics.OnCompleted(Request(Http(200), Marked(Http(200), Route("r1", "s1", name: "after", serviceName: "svc2"), mark: ApisixHttpMetricsMark.Names)));

        var text = Render(metrics);
        Assert.Contains("route=\"before\",matched_uri=\"/x\",matched_host=\"\",service=\"svc\",consumer=\"\",node=\"\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("route=\"after\",matched_uri=\"/x\",matched_host=\"\",service=\"svc2\",consumer=\"\",node=\"\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OnCompleted_NameNeedingEscapes_EscapedInTheLabel()
    {
        var metrics = Create();

        metrics.OnCompleted(Request(Http(200), Marked(Http(200), Route("r1", name: "a \"b\" \\ c\nd"), mark: ApisixHttpMetricsMark.Names)));

        Assert.Contains("route=\"a \\\"b\\\" \\\\ c\\nd\",", Render(metrics), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnCompleted_RepeatedLabelSet_AllocatesNoLabelStrings(bool preferName)
    {
        var mark = preferName ? ApisixHttpMetricsMark.Names : ApisixHttpMetricsMark.Ids;
        var metrics = Create();
        var http = Http(200);
        var node = new UpstreamNode("10.0.0.2", 8080, 1, 0);
        var proxy = new ProxyContext(http, Route("r1", "s1", name: "route_name", serviceName: "service_name")) { MatchedUri = "/api/*", Node = node, ApisixHttpMetrics = mark };
        proxy.LastAttempt = new UpstreamAttempt(node, 200, TimeSpan.FromMilliseconds(3));
        var request = Request(http, proxy);
        for (var i = 0; i < 100; i++)
        {
            metrics.OnCompleted(request);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            metrics.OnCompleted(request);
        }

        var perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;

        // What remains is the boxed header enumerators of the two head-size estimates (the
        // header collections are reached through IHeaderDictionary); no label text, no series.
        Assert.True(perRequest <= 64, $"{perRequest} bytes per request");
    }
}

using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Proxy;
using MirrorGate.Hosting;

namespace MirrorGate.FunctionalTests.Observability;

/// <summary>
/// APISIX's <c>prometheus</c> series scraped from a real gateway after real requests: names,
/// types, help texts, label names in APISIX's order and bucket bounds against
/// <see cref="ApisixMetricSpec"/> (copied from APISIX's exporter.lua), then the values. As in
/// APISIX, the http series record the requests of routes (and services) that carry the
/// <c>prometheus</c> plugin; the node gauges count every request.
/// </summary>
public sealed class ApisixMetricsTests
{
    [Fact]
    public async Task Scrape_AfterKnownRequests_FamiliesMatchApisixNamesTypesLabelsAndBuckets()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var closedPort = FreePort.Next();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello*","plugins":{"prometheus":{} },"upstream":{{ProxyKit.To(upstream)}} }""");
        await gateway.PutRouteAsync("2", $$"""{"uri":"/dead","plugins":{"prometheus":{} },"upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{closedPort}}":1} } }""");
        // Route 3 gets the plugin from its service.
        var (serviceStatus, serviceBody) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/services/s1", $$"""{"plugins":{"prometheus":{} },"upstream":{{ProxyKit.To(upstream)}} }""");
        Assert.True(serviceStatus is 200 or 201, serviceBody);
        await gateway.PutRouteAsync("3", """{"uris":["/a","/b*"],"hosts":["foo.com","*.bar.com"],"service_id":"s1"}""");

        Assert.Equal("hello world\n", await gateway.BodyAsync("/hello/x"));
        Assert.Equal("hello world\n", await gateway.BodyAsync("/hello/y"));
        Assert.Equal(404, (await gateway.SendAsync("/nothing")).Status);
        Assert.Equal(502, (await gateway.SendAsync("/dead")).Status);
        Assert.Equal("hello world\n", await gateway.BodyAsync("/b/x", host: "x.bar.com"));

        var scrape = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 4);

        // Every family APISIX exports here, with its type, help and labels in APISIX's order
        // (etcd_reachable is left out with the SQLite store; upstream_status needs a health check, below).
        foreach (var family in ApisixMetricSpec.Families.Where(f => f.Name is not "apisix_etcd_reachable" and not "apisix_upstream_status"))
        {
            Assert.True(scrape.Types.TryGetValue(family.Name, out var type), $"{family.Name} missing:\n{scrape.Text}");
            Assert.Equal(family.Type, type);
            Assert.Equal(family.Help, scrape.Helps[family.Name]);
            var samples = family.Type == "histogram"
                ? scrape.Samples.Where(s => s.Name is var n && (n == family.Name + "_bucket" || n == family.Name + "_sum" || n == family.Name + "_count")).ToList()
                : scrape.Samples.Where(s => s.Name == family.Name).ToList();
            Assert.NotEmpty(samples);
            foreach (var sample in samples)
            {
                var expected = sample.Name.EndsWith("_bucket", StringComparison.Ordinal) ? [.. family.Labels, "le"] : family.Labels;
                Assert.Equal(expected, sample.Labels.Select(l => l.Key).ToArray());
            }
        }

        Assert.DoesNotContain("apisix_etcd_reachable", scrape.Types.Keys);
        Assert.DoesNotContain(scrape.Types.Keys, n => n.StartsWith("apisix_", StringComparison.Ordinal) && n.EndsWith("_total_total", StringComparison.Ordinal));
        Assert.DoesNotContain("apisix_http_status_total", scrape.Types.Keys);

        // apisix_http_status: the 200s, the 502 from the dead node, the route with two uris and two
        // hosts naming the ones that matched and its service. The 404 that matched no route is not
        // there: only a global rule's prometheus records such a request in APISIX.
        Assert.Equal(4, scrape.Sum("apisix_http_status"));
        Assert.Equal(2, scrape.Value("apisix_http_status", ("code", "200"), ("route", "1"), ("matched_uri", "/hello*"), ("matched_host", ""), ("service", ""), ("consumer", ""), ("node", "127.0.0.1")));
        Assert.Empty(scrape.Find("apisix_http_status", ("code", "404")));
        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "502"), ("route", "2"), ("matched_uri", "/dead"), ("node", "127.0.0.1")));
        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", "3"), ("matched_uri", "/b*"), ("matched_host", "*.bar.com"), ("service", "s1")));

        // apisix_http_latency: APISIX's default buckets in ms; request and apisix for every
        // request, upstream only where a node was tried.
        var buckets = scrape.Find("apisix_http_latency_bucket", ("type", "request"), ("route", "1")).Select(s => s.Label("le")).ToArray();
        Assert.Equal(ApisixMetricSpec.DefaultLatencyLe, buckets);
        foreach (var type in new[] { "request", "upstream", "apisix" })
        {
            Assert.Equal(2, scrape.Value("apisix_http_latency_count", ("type", type), ("route", "1"), ("service", ""), ("consumer", ""), ("node", "127.0.0.1")));
            Assert.Equal(2, scrape.Value("apisix_http_latency_bucket", ("type", type), ("route", "1"), ("le", "+Inf")));
        }

        Assert.Empty(scrape.Find("apisix_http_latency_count", ("route", "")));
        Assert.Equal(1, scrape.Value("apisix_http_latency_count", ("type", "upstream"), ("route", "2"), ("node", "127.0.0.1")));
        Assert.Equal(1, scrape.Value("apisix_http_latency_count", ("type", "request"), ("route", "3"), ("service", "s1")));
        var requestMs = scrape.Value("apisix_http_latency_sum", ("type", "request"), ("route", "1"));
        var upstreamMs = scrape.Value("apisix_http_latency_sum", ("type", "upstream"), ("route", "1"));
        Assert.InRange(upstreamMs, 0, requestMs);

        // apisix_bandwidth: request line + headers + body in, status line + headers + body out.
        var ingress = scrape.Value("apisix_bandwidth", ("type", "ingress"), ("route", "1"), ("service", ""), ("consumer", ""), ("node", "127.0.0.1"));
        var egress = scrape.Value("apisix_bandwidth", ("type", "egress"), ("route", "1"), ("node", "127.0.0.1"));
        Assert.InRange(ingress, 2 * "GET /hello/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".Length, 2 * 1024);
        Assert.InRange(egress, 2 * ("HTTP/1.1 200 OK\r\n\r\n".Length + "hello world\n".Length), 2 * 1024);

        // The node gauges.
        Assert.True(scrape.Value("apisix_http_requests_total") >= 5);
        Assert.Equal(ApisixMetricSpec.ConnectionStates, scrape.Find("apisix_nginx_http_current_connections").Select(s => s.Label("state")).ToArray());
        Assert.True(scrape.Value("apisix_nginx_http_current_connections", ("state", "accepted")) >= 1);
        Assert.Equal(
            scrape.Value("apisix_nginx_http_current_connections", ("state", "accepted")),
            scrape.Value("apisix_nginx_http_current_connections", ("state", "handled")));
        Assert.Equal(
            scrape.Value("apisix_nginx_http_current_connections", ("state", "active")),
            scrape.Value("apisix_nginx_http_current_connections", ("state", "waiting")) + scrape.Value("apisix_nginx_http_current_connections", ("state", "writing"))
                + scrape.Value("apisix_nginx_http_current_connections", ("state", "reading")));
        Assert.Equal(1, scrape.Value("apisix_node_info", ("hostname", System.Net.Dns.GetHostName()), ("version", CommandLine.Version)));
    }

    [Fact]
    public async Task Scrape_ActiveHealthCheckMarksNodeDown_UpstreamStatusZeroForItOneForTheOther()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var closedPort = FreePort.Next();
        var (status, body) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/upstreams/u1", $$"""
            {"type":"roundrobin","nodes":{"{{upstream.Address}}":1,"127.0.0.1:{{closedPort}}":1},
             "checks":{"active":{"http_path":"/status","timeout":1,
               "healthy":{"interval":1,"successes":1},
               "unhealthy":{"interval":1,"http_failures":1,"tcp_failures":1,"timeouts":1} } } }
            """);
        Assert.True(status is 200 or 201, body);
        await gateway.PutRouteAsync("1", """{"uri":"/checked","upstream_id":"u1"}""");

        Scrape scrape;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            scrape = Scrape.Parse(await gateway.MetricsAsync());
            if (scrape.Find("apisix_upstream_status", ("name", "/apisix/upstreams/u1"), ("port", closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture))).Any(s => s.Value == 0)
                || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal("gauge", scrape.Types["apisix_upstream_status"]);
        Assert.Equal(0, scrape.Value("apisix_upstream_status", ("name", "/apisix/upstreams/u1"), ("ip", "127.0.0.1"), ("port", closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(1, scrape.Value("apisix_upstream_status", ("name", "/apisix/upstreams/u1"), ("ip", "127.0.0.1"), ("port", upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.All(scrape.Find("apisix_upstream_status"), s => Assert.Equal(["name", "ip", "port"], s.Labels.Select(l => l.Key).ToArray()));
    }

    [Fact]
    public async Task Scrape_RequestInFlight_WritingAndActiveCountItThenItIsWaiting()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = async http =>
        {
            await release.Task;
            await http.Response.WriteAsync("late");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/slow","plugins":{"prometheus":{} },"upstream":{{ProxyKit.To(upstream)}} }""");

        var slow = gateway.SendAsync("/slow");
        await upstream.NextAsync(TimeSpan.FromSeconds(15));
        var during = Scrape.Parse(await gateway.MetricsAsync());
        release.SetResult();
        Assert.Equal(200, (await slow).Status);
        var after = await Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 1);

        Assert.Equal(1, during.Value("apisix_nginx_http_current_connections", ("state", "writing")));
        Assert.True(during.Value("apisix_nginx_http_current_connections", ("state", "active")) >= 1);
        Assert.Equal(0, after.Value("apisix_nginx_http_current_connections", ("state", "writing")));
        // The client keeps its connection: open and idle now.
        Assert.True(after.Value("apisix_nginx_http_current_connections", ("state", "waiting")) >= 1);
        Assert.Equal(1, after.Value("apisix_http_requests_total"));
        Assert.Equal(1, after.Value("apisix_http_status", ("code", "200"), ("route", "1")));
    }
}

using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Resources;
using MirrorGate.Snapshot;
using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>
/// Global rules on every request (APISIX's t/node/global-rule.t): their plugins run before the
/// route's in each phase, and for requests that match no route; an answer of theirs ends the
/// request. Real gateway, upstream and mirror.
/// </summary>
public sealed class GlobalRuleProxyTests
{
    private static async Task PutGlobalRuleAsync(GatewayNode gateway, string id, string body)
    {
        var answer = await AdminCall.PutAsync(gateway, $"/apisix/admin/global_rules/{id}", body);
        Assert.True(answer.Status is 200 or 201, answer.Body);
    }

    private static string Route(string uri, RecordingServer upstream, string plugins = "")
        => $$"""{"uri":"{{uri}}",{{(plugins.Length > 0 ? $"\"plugins\":{plugins}," : "")}}"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""";

    private static async Task<(int Status, string Body)> GetAsync(GatewayNode gateway, string path)
    {
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + path);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task IpRestriction_RefusesOnEveryRouteAndUnmatched_NothingProxiedOrMirrored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("a", Route("/a", upstream));
        await gateway.PutRouteAsync("b", Route("/b", upstream, $$"""{"proxy-mirror":{"host":"{{mirror.Url}}"} }"""));
        await PutGlobalRuleAsync(gateway, "1", """{"plugins":{"ip-restriction":{"blacklist":["127.0.0.0/24"]} } }""");

        var refused = """{"message":"Your IP address is not allowed"}""" + "\n";
        Assert.Equal((403, refused), await GetAsync(gateway, "/a"));
        Assert.Equal((403, refused), await GetAsync(gateway, "/b"));
        Assert.Equal((403, refused), await GetAsync(gateway, "/matches-nothing"));

        // The rule gone, the same requests pass; the mirror's one copy shows the refused one was never sent.
        Assert.Equal(200, (await AdminCall.DeleteAsync(gateway, "/apisix/admin/global_rules/1")).Status);
        Assert.Equal(200, (await GetAsync(gateway, "/b")).Status);
        Assert.Equal(404, (await GetAsync(gateway, "/matches-nothing")).Status);
        await mirror.WaitForCountAsync(1);
        Assert.Equal("/b", Assert.Single(upstream.Requests).RawTarget);
        Assert.Equal("/b", Assert.Single(mirror.Requests).RawTarget);
    }

    [Fact]
    public async Task LimitCount_OneCounterAcrossRoutesAndUnmatched()
    {
        // TEST 1-5: the count is the global rule's, whatever route (or none) the request takes.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("a", Route("/a", upstream));
        await gateway.PutRouteAsync("b", Route("/b", upstream));
        await PutGlobalRuleAsync(gateway, "1", """{"plugins":{"limit-count":{"count":3,"time_window":60,"rejected_code":503,"key":"remote_addr"} } }""");

        Assert.Equal(200, (await GetAsync(gateway, "/a")).Status);
        Assert.Equal(200, (await GetAsync(gateway, "/b")).Status);
        Assert.Equal((404, """{"error_msg":"404 Route Not Found"}"""), await GetAsync(gateway, "/not_found"));
        Assert.Equal(503, (await GetAsync(gateway, "/a")).Status);
        Assert.Equal(503, (await GetAsync(gateway, "/not_found")).Status);
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task RequestId_OnEveryRoute_UnmatchedAnswerCarriesItToo()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("a", Route("/a", upstream));
        await gateway.PutRouteAsync("b", Route("/b", upstream, """{"response-rewrite":{"body":"changed\n"} }"""));
        await PutGlobalRuleAsync(gateway, "1", """{"plugins":{"request-id":{} } }""");

        foreach (var path in new[] { "/a", "/b" })
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + path);
            Assert.Equal(200, (int)response.StatusCode);
            var sent = Assert.Single(response.Headers.GetValues("X-Request-Id"));
            Assert.Equal(sent, upstream.Requests[^1].Header("X-Request-Id"));
        }

        using var unmatched = await gateway.Client.GetAsync(gateway.ProxyUrl + "/nothing");
        Assert.Equal(404, (int)unmatched.StatusCode);
        Assert.True(unmatched.Headers.Contains("X-Request-Id"));
    }

    [Fact]
    public async Task GlobalRewriteBeforeRoute_RouteMirrorCopiesWhatGlobalRulesSet()
    {
        // Global rewrite, then the route's: the route's header edit lands last, and the route's
        // mirror copies the request as both left it (the global rule's request id included).
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutGlobalRuleAsync(gateway, "ids", """{"plugins":{"request-id":{} } }""");
        await PutGlobalRuleAsync(gateway, "order", """{"plugins":{"proxy-rewrite":{"headers":{"set":{"X-Order":"global","X-Global":"1"} } } } }""");
        await gateway.PutRouteAsync("1", Route("/hello", upstream,
            $$"""{"proxy-rewrite":{"headers":{"set":{"X-Order":"route"} } },"proxy-mirror":{"host":"{{mirror.Url}}"} }"""));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
        var copy = await mirror.NextAsync();

        var primary = Assert.Single(upstream.Requests);
        Assert.Equal("route", primary.Header("X-Order"));
        Assert.Equal("1", primary.Header("X-Global"));
        var id = Assert.Single(response.Headers.GetValues("X-Request-Id"));
        Assert.Equal(id, primary.Header("X-Request-Id"));
        Assert.Equal(id, copy.Header("X-Request-Id"));
        Assert.Equal("route", copy.Header("X-Order"));
        Assert.Equal("1", copy.Header("X-Global"));
    }

    [Fact]
    public async Task ProxyMirrorInGlobalRule_EveryRouteCopied_UnmatchedNot()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("a", Route("/a", upstream));
        await gateway.PutRouteAsync("b", Route("/b", upstream));
        await PutGlobalRuleAsync(gateway, "1", $$"""{"plugins":{"proxy-mirror":{"host":"{{mirror.Url}}"} } }""");

        Assert.Equal(404, (await GetAsync(gateway, "/nothing")).Status);
        Assert.Equal(200, (await GetAsync(gateway, "/a")).Status);
        Assert.Equal(200, (await GetAsync(gateway, "/b")).Status);
        await mirror.WaitForCountAsync(2);

        // A request that matched nothing is never proxied, so it has nothing to copy.
        Assert.Equal(["/a", "/b"], mirror.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        Assert.Equal(2, upstream.Count);
    }

    [Theory]
    [InlineData("?g=1", true, false)]
    [InlineData("?r=1", false, true)]
    [InlineData("?g=1&r=1", true, true)]
    public async Task MetaFilter_GlobalAndRouteVerdictsKeptApart(string query, bool globalRuns, bool routeRuns)
    {
        // Both plugins are first in their chain: each chain keeps its own _meta.filter verdicts.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutGlobalRuleAsync(gateway, "1", """{"plugins":{"request-id":{"_meta":{"filter":[["arg_g","==","1"]]} } } }""");
        await gateway.PutRouteAsync("1", Route("/hello", upstream, """{"response-rewrite":{"body":"changed","_meta":{"filter":[["arg_r","==","1"]]} } }"""));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello" + query);

        Assert.Equal(globalRuns, response.Headers.Contains("X-Request-Id"));
        Assert.Equal(routeRuns ? "changed" : "hello world\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EmptyGlobalRule_RoutePluginsStillRun()
    {
        // TEST 11-12
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutGlobalRuleAsync(gateway, "1", """{"plugins":{} }""");
        await gateway.PutRouteAsync("1", Route("/hello", upstream, """{"response-rewrite":{"body":"changed\n"} }"""));

        Assert.Equal((200, "changed\n"), await GetAsync(gateway, "/hello"));
    }

    [Fact]
    public async Task PluginInTwoStoredRules_DroppedWithApisixErrorLine()
    {
        // global-rules-conflict.t TEST 7-8: rules written past the Admin API (straight into the
        // store) that set the same plugin: neither config runs.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/hello", upstream));
        var store = gateway.Services.GetRequiredService<IConfigStore>();
        const string LimitCount = """ "limit-count":{"count":1,"time_window":60,"rejected_code":503,"key":"remote_addr"} """;
        await store.PutAsync(ResourceKind.GlobalRule, "1", $$"""{"id":"1","create_time":1764938795,"update_time":1764938811,"plugins":{ {{LimitCount}},"request-id":{"header_name":"X-Rule-1"} } }""", null, CancellationToken.None);
        await store.PutAsync(ResourceKind.GlobalRule, "2", $$"""{"id":"2","plugins":{ {{LimitCount}} } }""", null, CancellationToken.None);
        var last = await store.PutAsync(ResourceKind.GlobalRule, "3", $$"""{"id":"3","plugins":{ {{LimitCount}} } }""", null, CancellationToken.None);
        await gateway.Services.GetRequiredService<SnapshotHolder>().WaitForRevisionAsync(last.ModifiedIndex, TimeSpan.FromSeconds(10), CancellationToken.None);

        await gateway.Logs.WaitForAsync("Found limit-count configured across different global rules. Removing it from execution list");
        for (var i = 0; i < 3; i++)
        {
            using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
            Assert.Equal(200, (int)response.StatusCode);

            // The plugins only one rule sets still run.
            Assert.True(response.Headers.Contains("X-Rule-1"));
        }
    }
}

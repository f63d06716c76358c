using MirrorGate.Balancing;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Plugins.ProxyMirror;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's key-auth tests (t/plugin/key-auth.t, key-auth-anonymous-consumer.t) and consumer plugin
/// merging (t/node/consumer-plugin.t) through a real gateway, a real upstream and a real mirror:
/// what each side received, and that a refused request reaches neither.
/// </summary>
public sealed class KeyAuthApisixTests
{
    private static async Task PutConsumerAsync(GatewayNode gateway, string json)
    {
        var answer = await AdminCall.PutAsync(gateway, "/apisix/admin/consumers", json);
        Assert.True(answer.Status is 200 or 201, answer.Body);
    }

    private static string Route(string uri, string keyAuth, string upstreamAddress, string extraPlugins = "")
        => $$"""{"uri":"{{uri}}","plugins":{"key-auth":{ {{keyAuth}} }{{extraPlugins}} },"upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }""";

    private static async Task<HttpResponseMessage> GetAsync(GatewayNode gateway, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await gateway.Client.SendAsync(request);
    }

    [Fact]
    public async Task Get_ValidKey_Proxied_UpstreamLearnsConsumer_KeyKeptWithoutHideCredentials()
    {
        // key-auth.t TEST 3-5, 14-15.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address));

        using var response = await GetAsync(gateway, "/hello", ("apikey", "auth-one"), ("X-Consumer-Username", "forged"), ("X-Credential-Identifier", "forged"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        var received = Assert.Single(upstream.Requests);
        Assert.Equal("auth-one", received.Header("apikey"));
        Assert.Equal("jack", received.Header("X-Consumer-Username"));
        Assert.Null(received.Header("X-Credential-Identifier"));
        Assert.Null(received.Header("X-Consumer-Custom-ID"));
    }

    [Fact]
    public async Task Get_PrometheusBesideKeyAuth_SeriesCarryTheConsumersName()
    {
        // APISIX's consumer label: the username key-auth attached, "" for a request refused before it.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        await PutConsumerAsync(gateway, """{"username":"rose","plugins":{"key-auth":{"key":"auth-two"}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address, ""","prometheus":{}"""));

        using (var refused = await GetAsync(gateway, "/hello"))
        {
            Assert.Equal(401, (int)refused.StatusCode);
        }

        foreach (var key in new[] { "auth-one", "auth-two", "auth-one" })
        {
            using var response = await GetAsync(gateway, "/hello", ("apikey", key));
            Assert.Equal(200, (int)response.StatusCode);
        }

        var scrape = await MirrorGate.FunctionalTests.Observability.Scrape.WhenAsync(gateway, s => s.Sum("apisix_http_status") >= 4);
        Assert.Equal(2, scrape.Value("apisix_http_status", ("code", "200"), ("route", "1"), ("consumer", "jack"), ("node", "127.0.0.1")));
        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "200"), ("route", "1"), ("consumer", "rose"), ("node", "127.0.0.1")));
        Assert.Equal(1, scrape.Value("apisix_http_status", ("code", "401"), ("route", "1"), ("consumer", ""), ("node", "")));
        Assert.Equal(2, scrape.Value("apisix_http_latency_count", ("type", "request"), ("route", "1"), ("service", ""), ("consumer", "jack"), ("node", "127.0.0.1")));
    }

    [Theory]
    // key-auth.t TEST 6-7.
    [InlineData("bad-key-123", "{\"message\":\"Invalid API key in request\"}\n")]
    [InlineData(null, "{\"message\":\"Missing API key in request\"}\n")]
    public async Task Get_InvalidOrMissingKey_401WithChallenge_NeitherUpstreamNorMirrorSeesIt(string? key, string expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        var mirrorPlugin = $$""","proxy-mirror":{"host":"{{mirror.Url}}"}""";
        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address, mirrorPlugin));
        await gateway.PutRouteAsync("2", $$"""{"uri":"/marker","plugins":{ {{mirrorPlugin[1..]}} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        using var response = key is null ? await GetAsync(gateway, "/hello") : await GetAsync(gateway, "/hello", ("apikey", key));
        using var marker = await GetAsync(gateway, "/marker");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal(expected, await response.Content.ReadAsStringAsync());
        Assert.Equal("apikey realm=\"key\"", response.Headers.WwwAuthenticate.ToString());
        await mirror.WaitForCountAsync(1);
        Assert.Equal("/marker", Assert.Single(mirror.Requests).RawTarget);
        Assert.Equal("/marker", Assert.Single(upstream.Requests).RawTarget);
        Assert.DoesNotContain(gateway.Logs.Lines, line => line.Message.Contains("bad-key", StringComparison.Ordinal) || line.Message.Contains("auth-one", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Get_TwentyConsumers_EachKeyFindsItsOwn()
    {
        // key-auth.t TEST 8.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        for (var i = 1; i <= 20; i++)
        {
            await PutConsumerAsync(gateway, $$"""{"username":"user_{{i}}","plugins":{"key-auth":{"key":"auth-{{i}}"} } }""");
        }

        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address));

        using var response = await GetAsync(gateway, "/hello", ("apikey", "auth-13"));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("user_13", Assert.Single(upstream.Requests).Header("X-Consumer-Username"));
    }

    [Fact]
    public async Task Get_CustomHeaderAndQuery_KeyReadFromThem_HeaderFirst()
    {
        // key-auth.t TEST 10-13.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        await PutConsumerAsync(gateway, """{"username":"rose","plugins":{"key-auth":{"key":"auth-two"}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", """ "header":"Authorization","query":"auth" """, upstream.Address));

        using var byHeader = await GetAsync(gateway, "/hello", ("Authorization", "auth-one"));
        using var byQuery = await GetAsync(gateway, "/hello?auth=auth-two");
        using var both = await GetAsync(gateway, "/hello?auth=auth-two", ("Authorization", "auth-one"));
        using var defaultName = await GetAsync(gateway, "/hello", ("apikey", "auth-one"));

        Assert.Equal([200, 200, 200, 401], new[] { byHeader, byQuery, both, defaultName }.Select(r => (int)r.StatusCode));
        Assert.Equal(["jack", "rose", "jack"], upstream.Requests.Select(r => r.Header("X-Consumer-Username")));
    }

    [Fact]
    public async Task Get_HideCredentialsHeader_NeitherUpstreamNorMirrorGetsIt_OtherHeadersAndArgsKept()
    {
        // key-auth.t TEST 16-19, and the mirror: the copy is taken from the request key-auth already changed.
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        await gateway.PutRouteAsync("1", Route("/echo", """ "hide_credentials":true """, upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}"}"""));

        using var response = await GetAsync(gateway, "/echo?apikey=auth-one", ("apikey", "auth-one"), ("test", "auth-two"));

        Assert.Equal(200, (int)response.StatusCode);
        await mirror.WaitForCountAsync(1);
        foreach (var received in new[] { Assert.Single(upstream.Requests), Assert.Single(mirror.Requests) })
        {
            Assert.Null(received.Header("apikey"));
            Assert.Equal("auth-two", received.Header("test"));
            Assert.Equal("/echo?apikey=auth-one", received.RawTarget);
            Assert.Equal("jack", received.Header("X-Consumer-Username"));
        }
    }

    [Fact]
    public async Task Get_HideCredentialsQuery_ArgRemovedForUpstreamAndMirror_OthersKept()
    {
        // key-auth.t TEST 20-23.
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        await gateway.PutRouteAsync("1", Route("/echo", """ "query":"auth","hide_credentials":true """, upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}"}"""));

        using var only = await GetAsync(gateway, "/echo?auth=auth-one");
        using var withOther = await GetAsync(gateway, "/echo?auth=auth-one&test=auth-two", ("auth", "auth-one"));

        Assert.Equal(200, (int)only.StatusCode);
        Assert.Equal(200, (int)withOther.StatusCode);
        await mirror.WaitForCountAsync(2);
        foreach (var server in new[] { upstream, mirror })
        {
            var targets = server.Requests.Select(r => r.RawTarget).Order().ToArray();
            Assert.Equal(["/echo", "/echo?test=auth-two"], targets);
            Assert.Equal("auth-one", server.Requests.Single(r => r.RawTarget.Contains("test")).Header("auth"));
        }
    }

    [Fact]
    public async Task Get_HideCredentialsFalse_QueryKeyKept()
    {
        // key-auth.t TEST 24-25.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", """ "query":"auth","hide_credentials":false """, upstream.Address));

        using var response = await GetAsync(gateway, "/hello?auth=auth-one");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/hello?auth=auth-one", Assert.Single(upstream.Requests).RawTarget);
    }

    [Fact]
    public async Task Get_ConsumerLimitCount_MergedIntoRoute_CountsPerConsumer()
    {
        // t/node/consumer-plugin.t TEST 1-5: the consumer's limit-count runs on the route it authenticates on.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-jack"},"limit-count":{"count":2,"time_window":60,"rejected_code":503,"key":"remote_addr"}}}""");
        await PutConsumerAsync(gateway, """{"username":"rose","plugins":{"key-auth":{"key":"auth-rose"}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address));

        var jack = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await GetAsync(gateway, "/hello", ("apikey", "auth-jack"));
            jack.Add((int)response.StatusCode);
        }

        using var rose = await GetAsync(gateway, "/hello", ("apikey", "auth-rose"));

        Assert.Equal([200, 200, 503], jack);
        Assert.Equal(200, (int)rose.StatusCode);
        Assert.Equal(3, upstream.Count);
    }

    [Fact]
    public async Task Get_ConsumerChanged_NewConfigUsed()
    {
        // t/node/consumer-plugin.t TEST 6.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-jack"},"proxy-rewrite":{"headers":{"set":{"X-Plan":"free"}}}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address));
        using (await GetAsync(gateway, "/hello", ("apikey", "auth-jack")))
        {
        }

        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-new"},"proxy-rewrite":{"headers":{"set":{"X-Plan":"gold"}}}}}""");
        using var old = await GetAsync(gateway, "/hello", ("apikey", "auth-jack"));
        using var renewed = await GetAsync(gateway, "/hello", ("apikey", "auth-new"));

        Assert.Equal(401, (int)old.StatusCode);
        Assert.Equal(200, (int)renewed.StatusCode);
        Assert.Equal(["free", "gold"], upstream.Requests.Select(r => r.Header("X-Plan")));
    }

    [Fact]
    public async Task Get_ConsumerProxyRewrite_RunsLate_ButNotWhenRouteHasIt()
    {
        // APISIX's rewrite_in_consumer: a consumer's plugin the route lacks runs its rewrite after
        // authentication; one the route has already ran its rewrite with the route's config.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","labels":{"custom_id":"c-17"},"plugins":{"key-auth":{"key":"auth-jack"},"proxy-rewrite":{"uri":"/from-consumer","headers":{"set":{"X-Who":"consumer"}}}}}""");
        await gateway.PutRouteAsync("1", Route("/plain", "", upstream.Address));
        await gateway.PutRouteAsync("2", Route("/both", "", upstream.Address, ""","proxy-rewrite":{"headers":{"set":{"X-Who":"route"}}}"""));

        using var plain = await GetAsync(gateway, "/plain", ("apikey", "auth-jack"));
        using var both = await GetAsync(gateway, "/both", ("apikey", "auth-jack"));

        Assert.Equal(200, (int)plain.StatusCode);
        Assert.Equal(200, (int)both.StatusCode);
        var requests = upstream.Requests;
        Assert.Equal("/from-consumer", requests[0].RawTarget);
        Assert.Equal("consumer", requests[0].Header("X-Who"));
        Assert.Equal("c-17", requests[0].Header("X-Consumer-Custom-ID"));
        Assert.Equal("/both", requests[1].RawTarget);
        Assert.Equal("route", requests[1].Header("X-Who"));
    }

    [Fact]
    public async Task Get_MirrorSampleKeyConsumerName_EachConsumerAlwaysOrNeverMirrored()
    {
        // proxy-mirror's sample_key can name the consumer key-auth attached: a consumer's requests are
        // all copied or none are, the same decision on every node.
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var names = Enumerable.Range(1, 8).Select(i => $"user{i}").ToArray();
        foreach (var name in names)
        {
            await PutConsumerAsync(gateway, $$"""{"username":"{{name}}","plugins":{"key-auth":{"key":"key-{{name}}"} } }""");
        }

        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}","sample_ratio":0.5,"sample_key":"consumer_name" }"""));
        var sampled = names.Where(n => MirrorSampler.Position(StableHash.Of(n)) < 0.5).ToArray();
        Assert.NotEmpty(sampled);
        Assert.NotEqual(names.Length, sampled.Length);

        for (var round = 0; round < 3; round++)
        {
            foreach (var name in names)
            {
                using var response = await GetAsync(gateway, "/hello?who=" + name, ("apikey", "key-" + name));
                Assert.Equal(200, (int)response.StatusCode);
            }
        }

        // A marker route mirrored always, last: once it arrived every earlier copy was sent.
        await gateway.PutRouteAsync("2", $$"""{"uri":"/marker","plugins":{"proxy-mirror":{"host":"{{mirror.Url}}"} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");
        using (await GetAsync(gateway, "/marker"))
        {
        }

        await mirror.WaitForCountAsync(sampled.Length * 3 + 1);
        var copied = mirror.Requests.Where(r => r.RawTarget != "/marker").Select(r => r.RawTarget["/hello?who=".Length..]).ToArray();
        Assert.Equal(sampled.SelectMany(n => Enumerable.Repeat(n, 3)).Order(), copied.Order());
        Assert.Equal(names.Length * 3 + 1, upstream.Count);
    }

    [Fact]
    public async Task Get_MetaFilterOnConsumerName_OnlyThatConsumerMirrored()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-jack"}}}""");
        await PutConsumerAsync(gateway, """{"username":"rose","plugins":{"key-auth":{"key":"auth-rose"}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}","_meta":{"filter":[["consumer_name","==","rose"]]} }"""));

        using (await GetAsync(gateway, "/hello?who=jack", ("apikey", "auth-jack")))
        using (await GetAsync(gateway, "/hello?who=rose", ("apikey", "auth-rose")))
        {
        }

        await mirror.WaitForCountAsync(1);
        await gateway.PutRouteAsync("2", $$"""{"uri":"/marker","plugins":{"proxy-mirror":{"host":"{{mirror.Url}}"} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");
        using (await GetAsync(gateway, "/marker"))
        {
        }

        await mirror.WaitForCountAsync(2);
        Assert.Equal(["/hello?who=rose", "/marker"], mirror.Requests.Select(r => r.RawTarget).Order());
    }

    [Fact]
    public async Task Get_AnonymousConsumer_UsedWithoutKey_MissingOne401()
    {
        // key-auth-anonymous-consumer.t.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"anonymous","plugins":{"limit-count":{"count":1,"time_window":60,"rejected_code":429,"key":"remote_addr"}}}""");
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-jack"}}}""");
        await gateway.PutRouteAsync("1", Route("/hello", """ "anonymous_consumer":"anonymous" """, upstream.Address));
        await gateway.PutRouteAsync("2", Route("/nobody", """ "anonymous_consumer":"not-found" """, upstream.Address));

        using var first = await GetAsync(gateway, "/hello");
        using var limited = await GetAsync(gateway, "/hello", ("apikey", "wrong"));
        using var withKey = await GetAsync(gateway, "/hello", ("apikey", "auth-jack"));
        using var nobody = await GetAsync(gateway, "/nobody");

        Assert.Equal(200, (int)first.StatusCode);
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.Equal(200, (int)withKey.StatusCode);
        Assert.Equal(401, (int)nobody.StatusCode);
        Assert.Equal("{\"message\":\"Invalid user authorization\"}\n", await nobody.Content.ReadAsStringAsync());
        Assert.Equal(["anonymous", "jack"], upstream.Requests.Select(r => r.Header("X-Consumer-Username")));
    }

    [Fact]
    public async Task Get_ChashOnConsumer_EachConsumerStaysOnOneNode()
    {
        await using var first = await RecordingServer.StartAsync();
        await using var second = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        // 48 consumers: even on a ring split 70/30 by the nodes' (random) ports, all on one node has p < 1e-7.
        var names = Enumerable.Range(1, 48).Select(i => $"user{i}").ToArray();
        foreach (var name in names)
        {
            await PutConsumerAsync(gateway, $$"""{"username":"{{name}}","plugins":{"key-auth":{"key":"key-{{name}}"} } }""");
        }

        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","plugins":{"key-auth":{} },"upstream":{"type":"chash","hash_on":"consumer","nodes":{"{{first.Address}}":1,"{{second.Address}}":1} } }""");

        foreach (var name in names)
        {
            for (var i = 0; i < 2; i++)
            {
                using var response = await GetAsync(gateway, "/hello", ("apikey", "key-" + name));
                Assert.Equal(200, (int)response.StatusCode);
            }
        }

        foreach (var name in names)
        {
            var counts = new[] { first, second }.Select(s => s.Requests.Count(r => r.Header("X-Consumer-Username") == name)).ToArray();
            Assert.Contains(2, counts);
            Assert.Contains(0, counts);
        }

        // Hashed by consumer, not by the one client address (the fallback): both nodes get some.
        Assert.True(first.Count > 0 && second.Count > 0, $"{first.Count} / {second.Count}");
    }

    [Fact]
    public async Task StoredConsumerWithGroup_SkippedWithErrorLog_ItsKeyAuthenticatesNobody()
    {
        // A consumer APISIX wrote with a group_id: its group's plugins are not available here, so it is not served.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var store = (MirrorGate.Stores.IConfigStore)gateway.Services.GetService(typeof(MirrorGate.Stores.IConfigStore))!;
        var snapshots = (MirrorGate.Snapshot.SnapshotHolder)gateway.Services.GetService(typeof(MirrorGate.Snapshot.SnapshotHolder))!;
        var written = await store.PutAsync(MirrorGate.Resources.ResourceKind.Consumer, "grouped",
            """{"username":"grouped","group_id":"company_a","plugins":{"key-auth":{"key":"auth-grouped"}},"create_time":1,"update_time":1}""", null, CancellationToken.None);
        await snapshots.WaitForRevisionAsync(written.ModifiedIndex, TimeSpan.FromSeconds(10), CancellationToken.None);
        await gateway.PutRouteAsync("1", Route("/hello", "", upstream.Address));

        using var response = await GetAsync(gateway, "/hello", ("apikey", "auth-grouped"));

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains(gateway.Logs.Lines, l => l.Message.Contains("Skipping stored consumer grouped: invalid configuration: group_id is not supported", StringComparison.Ordinal));
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task GlobalRuleKeyAuth_EveryRouteNeedsAKey_ConsumerPluginsJoin_UnmatchedKnownKey404()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await PutConsumerAsync(gateway, """{"username":"jack","plugins":{"key-auth":{"key":"auth-jack"},"proxy-rewrite":{"headers":{"set":{"X-Plan":"gold"} } } } }""");
        var rule = await AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/1", """{"plugins":{"key-auth":{} } }""");
        Assert.True(rule.Status is 200 or 201, rule.Body);
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        using var withoutKey = await GetAsync(gateway, "/hello");
        using var withKey = await GetAsync(gateway, "/hello", ("apikey", "auth-jack"));
        using var unmatchedBadKey = await GetAsync(gateway, "/nowhere", ("apikey", "wrong"));
        using var unmatchedKnownKey = await GetAsync(gateway, "/nowhere", ("apikey", "auth-jack"));

        Assert.Equal(401, (int)withoutKey.StatusCode);
        Assert.Equal(200, (int)withKey.StatusCode);
        Assert.Equal("gold", Assert.Single(upstream.Requests).Header("X-Plan"));
        Assert.Equal(401, (int)unmatchedBadKey.StatusCode);
        Assert.Equal(404, (int)unmatchedKnownKey.StatusCode);
    }
}

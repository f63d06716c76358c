using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.ProxyRewriteTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's proxy-rewrite tests (t/plugin/proxy-rewrite.t, proxy-rewrite3.t), the blocks that do not
/// depend on Lua internals, asserted on what a real upstream received.
/// </summary>
public sealed class ProxyRewriteApisixTests
{
    private const string Prefix = "failed to check the configuration of plugin proxy-rewrite err: ";

    [Theory]
    // t/plugin/proxy-rewrite.t TEST 2, 15-16, 33-34, 40-41; proxy-rewrite3.t TEST 25-26
    [InlineData("/hello", """ "uri":"/plugin_proxy_rewrite" """, "/hello", "/plugin_proxy_rewrite")]
    [InlineData("/hello", """ "uri":"/plugin_proxy_rewrite_args" """, "/hello?q=apisix&a=iresty", "/plugin_proxy_rewrite_args?q=apisix&a=iresty")]
    [InlineData("/hello", """ "uri":"/plugin_proxy_rewrite_args?q=apisix" """, "/hello?a=iresty", "/plugin_proxy_rewrite_args?q=apisix&a=iresty")]
    [InlineData("/test", """ "uri":"/$arg_new_uri" """, "/test?new_uri=hello", "/hello?new_uri=hello")]
    [InlineData("/test", """ "uri":"/${arg_new_uri ?? fallback}" """, "/test", "/fallback")]
    [InlineData("/test/*", """ "regex_uri":["^/test/(.*)/(.*)/(.*)", "/$1_$2_$3"] """, "/test/plugin/proxy/rewrite", "/plugin_proxy_rewrite")]
    [InlineData("/test/*", """ "regex_uri":["^/test/(.*)/(.*)/(.*)", "/$1_$2_$3?a=c"] """, "/test/plugin/proxy/rewrite", "/plugin_proxy_rewrite?a=c")]
    [InlineData("/test/*", """ "regex_uri":["^/test/(.*)/(.*)/(.*)", "/$1_$2_$3"] """, "/test/not_found", "/test/not_found")]
    [InlineData("/test/*", """ "uri":"/hello","regex_uri":["^/test/(.*)/(.*)/(.*)", "/$1_$2_$3"] """, "/test/plugin/proxy/rewrite", "/hello")]
    [InlineData("/test/*", """ "regex_uri":["^/test/(.*)/(.*)/(.*)/hello","/hello/$1_$2_$3","^/test/(.*)/(.*)/(.*)/world","/world/$1_$2_$3"] """, "/test/plugin/proxy/rewrite/world", "/world/plugin_proxy_rewrite")]
    // A variable's '?' cannot start a query; a CR/LF read from the request is encoded, never sent raw (TEST 66).
    [InlineData("/test", """ "uri":"/$arg_new_uri" """, "/test?new_uri=a%3Fb", "/a%253Fb?new_uri=a%3Fb")]
    [InlineData("/test/*", """ "regex_uri":["^/test/(.*)", "/$1"] """, "/test/a%0D%0Ab", "/a%0D%0Ab")]
    // use_real_request_uri_unsafe: the request target as sent (TEST 49-52, proxy-rewrite3.t TEST 8-11)
    [InlineData("/hello", """ "uri":"/plugin_proxy_rewrite_args?q=apisix","use_real_request_uri_unsafe":true """, "/hello?a=iresty", "/plugin_proxy_rewrite_args?q=apisix&a=iresty")]
    [InlineData("/print*", """ "use_real_request_uri_unsafe":true """, "/print_uri_detailed?a=1", "/print_uri_detailed?a=1")]
    [InlineData("/print*", """ "use_real_request_uri_unsafe":true """, "/print%5Furi%20a", "/print%5Furi%20a")]
    [InlineData("/print*", """ "host":"example.test" """, "/print%5Furi%20a", "/print_uri%20a")]
    [InlineData("/print*", """ "host":"example.test" """, "/print/a%2Fb%2fc", "/print/a/b/c")]
    public async Task Get_UriRewrite_UpstreamGetsRewrittenTarget(string routeUri, string rewrite, string requested, string expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute(routeUri, rewrite, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, requested);

        Assert.Equal(expected, received.RawTarget);
    }

    [Theory]
    // TEST 5-6, 42-44
    [InlineData("apisix.iresty.com")]
    [InlineData("apisix.iresty.com:6443")]
    public async Task Get_HostRewrite_UpstreamGetsHost(string host)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/hello", $$""" "uri":"/plugin_proxy_rewrite","host":"{{host}}" """, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, "/hello");

        Assert.Equal(host, received.Header("Host"));
        Assert.Equal("/plugin_proxy_rewrite", received.RawTarget);
    }

    [Fact]
    public async Task Get_HostRewriteWithPassHostNode_NodeHostWins()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/hello","plugins":{"proxy-rewrite":{"host":"apisix.iresty.com"} },
             "upstream":{"type":"roundrobin","pass_host":"node","nodes":{"{{upstream.Address}}":1} } }
            """);

        var received = await GetThroughAsync(gateway, upstream, "/hello");

        Assert.Equal(upstream.Address, received.Header("Host"));
    }

    [Fact]
    public async Task Get_FlatHeaders_SetOverridesClientValue()
    {
        // TEST 9-10, 13-14
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/hello", """ "uri":"/uri/plugin_proxy_rewrite","headers":{"X-Api-Version":"v2","X-Api-Test":"hello"} """, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, "/hello", ("X-Api-Test", "client"));

        Assert.Equal("v2", received.Header("X-Api-Version"));
        Assert.Equal("hello", received.Header("X-Api-Test"));
    }

    [Fact]
    public async Task Get_AddSetRemove_AppliedInThatOrder()
    {
        // proxy-rewrite3.t TEST 14-20
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/echo", """ "headers":{"add":{"test":"123","both":"test_in_add"},"set":{"test2":"2233","both":"test_in_set"},"remove":["hello"]} """, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, "/echo", ("test", "sssss"), ("test", "bbb"), ("hello", "word"));

        Assert.Equal(["sssss", "bbb", "123"], Values(received, "test"));
        Assert.Equal("2233", received.Header("test2"));
        Assert.Equal("test_in_set", received.Header("both"));
        Assert.Null(received.Header("hello"));
    }

    [Fact]
    public async Task Get_MultipleValues_SetReplacesAddAppends()
    {
        // TEST 58-61
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/echo", """ "headers":{"set":{"X-Set":["v1","v2"]},"add":{"X-Add":["a1",2]}} """, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, "/echo", ("X-Set", "old"), ("X-Add", "a0"));

        Assert.Equal(["v1", "v2"], Values(received, "X-Set"));
        Assert.Equal(["a0", "a1", "2"], Values(received, "X-Add"));
    }

    [Fact]
    public async Task Get_VariablesInHeaders_ResolvedAndMissingOnesLeaveNoHeader()
    {
        // TEST 36-39
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/hello", """ "uri":"/uri","headers":{"x-api":"$remote_addr","name":"$arg_name","x-key":"$http_key","x-nope":"$helle","Version":"nginx_var_does_not_exist"} """, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, "/hello?name=Bill", ("key", "X-APISIX"));

        Assert.Equal("/uri?name=Bill", received.RawTarget);
        Assert.Equal("127.0.0.1", received.Header("x-api"));
        Assert.Equal("Bill", received.Header("name"));
        Assert.Equal("X-APISIX", received.Header("x-key"));
        Assert.Null(received.Header("x-nope"));
        Assert.Equal("nginx_var_does_not_exist", received.Header("Version"));
    }

    [Theory]
    // proxy-rewrite3.t TEST 27-32, proxy-rewrite.t TEST 62-65
    [InlineData("/test/*", "^/test/(.*)/(.*)/(.*)", "$1/$2/$3", "/test/plugin/proxy/rewrite", "plugin/proxy/rewrite")]
    [InlineData("/test/*", "^/test/(not_matched)?.*", "test1/$1/$2/test2", "/test/plugin/proxy/rewrite", "test1///test2")]
    [InlineData("/echo*", "^/test/(.*)/(.*)/(.*)", "$1/$2/$3-$arg_x", "/echo?x=y", "//-y")]
    public async Task Get_CapturesInHeaders_ResolvedFromTheMatchingRegexUri(string routeUri, string pattern, string value, string requested, string expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute(routeUri, $$$""" "regex_uri":["{{{pattern}}}","/echo"],"headers":{"add":{"X-Request-ID":"{{{value}}}"}} """, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, requested);

        Assert.Equal(expected, received.Header("X-Request-ID"));
    }

    [Fact]
    public async Task Get_MethodRewrite_UpstreamGetsNewMethodAndHeaders()
    {
        // proxy-rewrite3.t TEST 1-7
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", RewriteRoute("/hello", """ "uri":"/plugin_proxy_rewrite","method":"POST","headers":{"X-Api-Version":"v2"} """, upstream.Address));

        var received = await GetThroughAsync(gateway, upstream, "/hello");

        Assert.Equal("POST", received.Method);
        Assert.Equal("/plugin_proxy_rewrite", received.RawTarget);
        Assert.Equal("v2", received.Header("X-Api-Version"));
    }

    [Theory]
    // TEST 26-32, proxy-rewrite3.t TEST 5
    [InlineData(""" "regex_uri":["^/test/(.*)"] """, "property \"regex_uri\" validation failed")]
    [InlineData(""" "regex_uri":["^/a/(.*)", "/$1", "^/b/(.*)"] """, "The length of regex_uri should be an even number")]
    [InlineData(""" "regex_uri":["[^/test/(.*)", "/$1"] """, "invalid regex_uri([^/test/(.*), /$1): ")]
    [InlineData(""" "regex_uri":["^/test/(.*)", "/$`1"] """, "invalid regex_uri(^/test/(.*), /$`1): invalid capturing variable name found")]
    [InlineData(""" "uri":"hello" """, "property \"uri\" validation failed: failed to match pattern")]
    [InlineData(""" "uri":"/uri","headers":{"X-Api:Version":"v2"} """, "invalid field character in header")]
    [InlineData(""" "uri":"/uri","headers":{"X-Api-Version":"v2\r\n"} """, "invalid value character in header")]
    [InlineData(""" "uri":"/uri","headers":{"set":{"X-Api-Version":"v2\r\n"}} """, "invalid value character in header")]
    [InlineData(""" "method":"GET1" """, "property \"method\" validation failed: matches none of the enum values")]
    [InlineData(""" "scheme":"https" """, null)]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string rewrite, string? expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", RewriteRoute("/test/*", rewrite, "127.0.0.1:1980"));

        if (expected is null)
        {
            // scheme was removed from the schema; like any unknown key it is accepted and ignored.
            Assert.True(put.Status is 200 or 201, put.Body);
            return;
        }

        Assert.Equal(400, put.Status);
        Assert.StartsWith(Prefix + expected, put.Json!["error_msg"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetPluginSchema_ProxyRewrite_ApisixSchemaWithMeta()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/plugins/proxy-rewrite");

        Assert.Equal(200, answer.Status);
        var properties = answer.Json!["properties"]!.AsObject();
        Assert.Equal(["uri", "method", "regex_uri", "host", "headers", "use_real_request_uri_unsafe", "_meta"], properties.Select(p => p.Key));
        Assert.Equal(1, (int)answer.Json["minProperties"]!);
    }
}

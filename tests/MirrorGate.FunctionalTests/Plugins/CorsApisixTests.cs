using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's cors tests (t/plugin/cors.t, cors2.t, cors4.t) through a real gateway and upstream;
/// a preflight is answered by the gateway and reaches neither the upstream nor a real mirror.
/// </summary>
public sealed class CorsApisixTests
{
    private static string Route(string cors, string upstreamAddress, string extraPlugins = "")
        => $$"""
            {"uri":"/hello","plugins":{"cors":{ {{cors}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    private static async Task<HttpResponseMessage> SendAsync(GatewayNode gateway, HttpMethod method, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, gateway.ProxyUrl + "/hello");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await gateway.Client.SendAsync(request);
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
            : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(", ", content) : null;

    [Fact]
    public async Task Get_DefaultConfig_WildcardHeaders()
    {
        // TEST 6-7
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("", upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get);

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("*", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("*", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("5", Header(response, "Access-Control-Max-Age"));
        Assert.Null(Header(response, "Access-Control-Expose-Headers"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
        Assert.Null(Header(response, "Vary"));
    }

    [Fact]
    public async Task Get_OriginInList_EchoedWithAllHeadersAndVaryAppended()
    {
        // TEST 8-9
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static http =>
        {
            http.Response.Headers.Vary = "Via";
            return http.Response.WriteAsync("hello world\n");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("""
            "allow_origins":"http://sub.domain.com,http://sub2.domain.com","allow_methods":"GET,POST",
            "allow_headers":"headr1,headr2","expose_headers":"ex-headr1,ex-headr2","max_age":50,"allow_credential":true
            """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", "http://sub2.domain.com"));

        Assert.Equal("http://sub2.domain.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("Via, Origin", Header(response, "Vary"));
        Assert.Equal("GET,POST", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("headr1,headr2", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("ex-headr1,ex-headr2", Header(response, "Access-Control-Expose-Headers"));
        Assert.Equal("50", Header(response, "Access-Control-Max-Age"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
    }

    [Theory]
    // TEST 10, and a single configured origin that differs from the request's
    [InlineData("http://sub.domain.com,http://sub2.domain.com", "http://sub3.domain.com")]
    [InlineData("http://sub.domain.com", "http://sub3.domain.com")]
    public async Task Get_OriginNotAllowed_NoCorsHeadersButVary(string allowOrigins, string origin)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route($$""" "allow_origins":"{{allowOrigins}}" """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", origin));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("Origin", Header(response, "Vary"));
    }

    [Fact]
    public async Task Get_ForceWildcard_EchoesOriginAndRequestedHeaders()
    {
        // TEST 11-12
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "allow_origins":"**","allow_methods":"**","allow_headers":"**","expose_headers":"*" """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", "https://sub.domain.com"), ("Access-Control-Request-Headers", "req-header1,req-header2"));

        Assert.Equal("https://sub.domain.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("Origin", Header(response, "Vary"));
        Assert.Equal("GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,CONNECT,TRACE", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("req-header1,req-header2", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("*", Header(response, "Access-Control-Expose-Headers"));
        Assert.Equal("5", Header(response, "Access-Control-Max-Age"));
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Get_ForceWildcardNoOrigin_StarAndNoAllowHeaders()
    {
        // TEST 13
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "allow_origins":"**","allow_methods":"**","allow_headers":"**","expose_headers":"*" """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get);

        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Options_Preflight_AnsweredByGatewayNotProxiedNorMirrored()
    {
        // TEST 14, and the mirror: the preflight never leaves the gateway.
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "allow_origins":"http://a.com,http://b.com","allow_methods":"GET,PUT" """, upstream.Address,
            $$""","proxy-mirror":{"host":"{{mirror.Url}}"}"""));

        using var preflight = await SendAsync(gateway, HttpMethod.Options, ("Origin", "http://b.com"), ("Access-Control-Request-Method", "PUT"));
        using var get = await SendAsync(gateway, HttpMethod.Get, ("Origin", "http://b.com"));
        await mirror.WaitForCountAsync(1);

        Assert.Equal(200, (int)preflight.StatusCode);
        Assert.Equal("", await preflight.Content.ReadAsStringAsync());
        Assert.Equal("http://b.com", Header(preflight, "Access-Control-Allow-Origin"));
        Assert.Equal("GET,PUT", Header(preflight, "Access-Control-Allow-Methods"));
        Assert.Equal(200, (int)get.StatusCode);
        Assert.Equal("GET", Assert.Single(upstream.Requests).Method);
        Assert.Equal("GET", Assert.Single(mirror.Requests).Method);
    }

    [Fact]
    public async Task Get_UpstreamSendsCorsHeaders_PluginsValuesWin()
    {
        // TEST 17-23
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static http =>
        {
            var headers = http.Response.Headers;
            headers.AccessControlAllowOrigin = "https://other.com";
            headers.AccessControlAllowMethods = "methods";
            headers.AccessControlAllowHeaders = "a-headers";
            headers.AccessControlExposeHeaders = "e-headers";
            headers.AccessControlMaxAge = "10";
            headers.AccessControlAllowCredentials = "false";
            return http.Response.WriteAsync("/headers");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("""
            "allow_origins":"https://sub.domain.com","allow_methods":"**","allow_headers":"request-h",
            "expose_headers":"expose-h","max_age":5,"allow_credential":true
            """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", "https://sub.domain.com"));

        Assert.Equal("https://sub.domain.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,CONNECT,TRACE", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal("request-h", Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("expose-h", Header(response, "Access-Control-Expose-Headers"));
        Assert.Equal("5", Header(response, "Access-Control-Max-Age"));
        Assert.Equal("true", Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Get_UpstreamDown_GatewaysErrorCarriesCorsHeaders()
    {
        // TEST 15-16's point: an answer the gateway makes itself still gets the headers.
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "allow_origins":"**" """, "127.0.0.1:1"));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", "https://sub.domain.com"));

        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("https://sub.domain.com", Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Get_LaterPluginRefuses_RefusalCarriesCorsHeaders()
    {
        // TEST 15-16: a request another plugin refuses still gets the headers, so a browser can read the refusal.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "allow_origins":"**" """, upstream.Address, ""","ip-restriction":{"blacklist":["127.0.0.1"]}"""));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", "https://sub.domain.com"));

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Equal("https://sub.domain.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal(0, upstream.Count);
    }

    [Theory]
    // TEST 28-32, cors2.t TEST 2-5
    [InlineData("http://a.test.com", "http://a.test.com")]
    [InlineData("http://foo.example.org", "http://foo.example.org")]
    [InlineData("http://a.test2.com", null)]
    public async Task Get_AllowOriginsByRegex_OriginEchoedWhenAnyMatches(string origin, string? expected)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("""
            "allow_origins":"**","allow_origins_by_regex":[".*\\.test\\.com$",".*\\.example\\.org$"]
            """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", origin));

        Assert.Equal(expected, Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Get_AllowOriginsByRegexNoOrigin_NoHeaders()
    {
        // cors2.t TEST 4
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "allow_origins_by_regex":[".*\\.test\\.com$"] """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Vary"));
    }

    [Theory]
    // cors4.t TEST 16-20: two sets that intersect
    [InlineData("http://both.com", "http://both.com", "http://both.com")]
    [InlineData("http://cors.com", "http://cors.com", null)]
    [InlineData("http://timing.com", null, "http://timing.com")]
    [InlineData("http://none.com", null, null)]
    public async Task Get_TimingAllowOrigins_DecidedApartFromAllowOrigins(string origin, string? allowOrigin, string? timingOrigin)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("""
            "allow_origins":"http://cors.com,http://both.com","timing_allow_origins":"http://timing.com,http://both.com"
            """, upstream.Address));

        using var response = await SendAsync(gateway, HttpMethod.Get, ("Origin", origin));

        Assert.Equal(allowOrigin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal(timingOrigin, Header(response, "Timing-Allow-Origin"));
    }

    [Theory]
    // cors.t TEST 2 and 24-27, cors2.t TEST 1
    [InlineData(""" "max_age":"600" """, "property \"max_age\" validation failed: wrong type: expected integer, got string")]
    [InlineData(""" "allow_origins":"*","allow_credential":true """, "you can not set '*' for other option when 'allow_credential' is true")]
    [InlineData(""" "allow_origins":"http://a.com","allow_headers":"h","allow_credential":true """, "you can not set '*' for other option when 'allow_credential' is true")]
    [InlineData(""" "allow_origins":"http://a.com","allow_methods":"GET","allow_credential":true """, "you can not set '*' for other option when 'allow_credential' is true")]
    [InlineData(""" "allow_origins":"http://a.com","allow_methods":"GET","allow_headers":"h","expose_headers":"*","allow_credential":true """, "you can not set '*' for other option when 'allow_credential' is true")]
    [InlineData(""" "allow_origins":"a.com" """, "property \"allow_origins\" validation failed: failed to match pattern \"^(\\\\*|\\\\*\\\\*|null|\\\\w+://[^,]+(,\\\\w+://[^,]+)*)$\" with \"a.com\"")]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string config, string expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route(config, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin cors err: " + expected);
    }

    [Fact]
    public async Task PutRoute_AllowOriginsByMetadata_400NotSupported()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route(""" "allow_origins_by_metadata":["company"] """, "127.0.0.1:1980"));

        Assert.Equal(400, put.Status);
        Assert.Contains("failed to check the configuration of plugin cors err: \\\"allow_origins_by_metadata\\\" is not supported", put.Body);
    }

    [Fact]
    public async Task PutRoute_BadRegex_400()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route(""" "allow_origins_by_regex":["(unclosed"] """, "127.0.0.1:1980"));

        Assert.Equal(400, put.Status);
        Assert.Contains("failed to check the configuration of plugin cors err: ", put.Body);
    }
}

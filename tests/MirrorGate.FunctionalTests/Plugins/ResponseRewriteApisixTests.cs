using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's response-rewrite tests (t/plugin/response-rewrite.t, response-rewrite2.t,
/// response-rewrite3.t) that do not depend on Lua internals, through a real gateway and upstream;
/// and a real mirror that still gets the client's request when the client's answer is rewritten.
/// </summary>
public sealed class ResponseRewriteApisixTests
{
    private static string Route(string rewrite, string upstreamAddress, string extraPlugins = "")
        => $$"""
            {"uri":"/hello","plugins":{"response-rewrite":{ {{rewrite}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
            : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(", ", content) : null;

    private static async Task<HttpResponseMessage> GetAsync(GatewayNode gateway, string path = "/hello")
        => await gateway.Client.GetAsync(gateway.ProxyUrl + path);

    [Fact]
    public async Task Get_StatusCodeAndBody_UpstreamBodyReplacedWithLengthAndValidatorsDropped()
    {
        // response-rewrite.t TEST 2-3 (status_code and body)
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static http =>
        {
            http.Response.Headers.ETag = "\"abc\"";
            http.Response.Headers.LastModified = "Wed, 21 Oct 2015 07:28:00 GMT";
            return http.Response.WriteAsync("hello world\n");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "status_code":500,"body":"new body\n" """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("new body\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(9, response.Content.Headers.ContentLength);
        Assert.Null(Header(response, "ETag"));
        Assert.Null(Header(response, "Last-Modified"));
    }

    [Fact]
    public async Task Get_BodyBase64_DecodedBody()
    {
        // response-rewrite.t TEST 9-10 (body_base64)
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "body":"SGVsbG8K","body_base64":true """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_StreamedUpstreamBody_ReplacedWholeWhileUpstreamStreams()
    {
        // A long chunked upstream answer is dropped as it streams; the client gets the replacement only.
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static async http =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
            for (var i = 0; i < 64; i++)
            {
                await http.Response.Body.WriteAsync(chunk);
                await http.Response.Body.FlushAsync();
            }
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "body":"replaced" """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal("replaced", await response.Content.ReadAsStringAsync());
        Assert.Equal(8, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Get_EmptyUpstreamBody_StillReplaced()
    {
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static _ => Task.CompletedTask;
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "body":"from the gateway" """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal("from the gateway", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_HeadersAddSetRemove_AppliedInApisixOrder()
    {
        // response-rewrite2.t / response-rewrite3.t headers add, set, remove
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static http =>
        {
            http.Response.Headers["X-Upstream"] = "1";
            http.Response.Headers["X-Set-Me"] = "old";
            http.Response.Headers["X-Add-Me"] = "first";
            return http.Response.WriteAsync("hello world\n");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("""
            "headers":{"add":["X-Add-Me: second","Set-Cookie: a=b; Max-Age=3"],"set":{"X-Set-Me":"new","X-Num":42,"X-Method":"$request_method"},"remove":["X-Upstream"]}
            """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
        Assert.Equal("first, second", Header(response, "X-Add-Me"));
        Assert.Equal("a=b; Max-Age=3", Header(response, "Set-Cookie"));
        Assert.Equal("new", Header(response, "X-Set-Me"));
        Assert.Equal("42", Header(response, "X-Num"));
        Assert.Equal("GET", Header(response, "X-Method"));
        Assert.Null(Header(response, "X-Upstream"));
    }

    [Fact]
    public async Task Get_BalancerVariablesInHeaders_NodeThatAnswered()
    {
        // APISIX's response-rewrite doc, "Rewrite Header and Body": X-Server-balancer-addr is $balancer_ip:$balancer_port
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("""
            "body":"{\"code\":\"ok\"}","headers":{"set":{"X-Server-balancer-addr":"$balancer_ip:$balancer_port"}},"vars":[["status","==",200]]
            """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal(upstream.Address, Header(response, "X-Server-balancer-addr"));
        Assert.Equal("{\"code\":\"ok\"}", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_FlatHeaders_SetAsOldForm()
    {
        // response-rewrite.t TEST 2-3 (headers in the flat form)
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "headers":{"X-Server-id":3,"X-Server-status":"on","Content-Type":""} """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal("3", Header(response, "X-Server-id"));
        Assert.Equal("on", Header(response, "X-Server-status"));
        Assert.Equal("hello world\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(200, HttpStatusCode.Forbidden, "rewritten")]
    [InlineData(500, HttpStatusCode.InternalServerError, "boom")]
    public async Task Get_VarsOnStatus_RewriteOnlyWhenTheResponseMatches(int upstreamStatus, HttpStatusCode expectedStatus, string expectedBody)
    {
        // response-rewrite.t vars on $status
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = http =>
        {
            http.Response.StatusCode = upstreamStatus;
            return http.Response.WriteAsync(upstreamStatus == 200 ? "hello world\n" : "boom");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "vars":[["status","==",200]],"status_code":403,"body":"rewritten" """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal(expectedStatus, response.StatusCode);
        Assert.Equal(expectedBody, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_RejectedByAccessPhasePlugin_RejectionRewritten()
    {
        // APISIX's header_filter runs on a plugin's rejection too.
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "vars":[["status","==",503]],"body":"busy, try later" """, upstream.Address,
            ""","limit-count":{"count":1,"time_window":60,"rejected_code":503}"""));

        using var first = await GetAsync(gateway);
        using var second = await GetAsync(gateway);

        Assert.Equal("hello world\n", await first.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("busy, try later", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Get_Filters_OnceAndGlobal()
    {
        // response-rewrite3.t filters
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static http => http.Response.WriteAsync("hello world hello world\n");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("""
            "filters":[{"regex":"hello","replace":"HELLO"},{"regex":"world","scope":"global","replace":"test"}]
            """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Equal("HELLO test hello test\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Get_FiltersOnGzippedBody_DecodedFilteredAndSentPlain()
    {
        // response-rewrite3.t filters with a gzip-encoded upstream answer
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = static async http =>
        {
            http.Response.Headers.ContentEncoding = "gzip";
            using var packed = new MemoryStream();
            await using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync("hello world\n"u8.ToArray());
            }

            await http.Response.Body.WriteAsync(packed.ToArray());
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "filters":[{"regex":"hello","replace":"test"}] """, upstream.Address));

        using var response = await GetAsync(gateway);

        Assert.Null(Header(response, "Content-Encoding"));
        Assert.Equal("test world\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(""" "body":"x","filters":[{"regex":"a","replace":"b"}] """)]
    [InlineData(""" "status_code":199 """)]
    [InlineData(""" "body":"hello","body_base64":true """)]
    [InlineData(""" "filters":[{"regex":"(","replace":"b"}] """)]
    [InlineData(""" "headers":{"add":["no colon"]} """)]
    public async Task Put_InvalidConfig_Refused(string rewrite)
    {
        // response-rewrite.t / response-rewrite3.t schema checks
        await using var gateway = await GatewayNode.StartAsync();

        var (status, body) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/routes/1", Route(rewrite, "127.0.0.1:1980"));

        Assert.Equal(400, status);
        Assert.Contains("response-rewrite", body);
    }

    [Fact]
    public async Task Get_WithProxyMirror_MirrorGetsTheRequestClientGetsTheRewrite()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        mirror.Respond = static http =>
        {
            http.Response.StatusCode = 500;
            return http.Response.WriteAsync("mirror answer");
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "status_code":201,"body":"rewritten","headers":{"set":{"X-Rewritten":"yes"}} """,
            upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}"}"""));

        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.ProxyUrl + "/hello?a=1") { Content = new StringContent("payload") };
        request.Headers.Add("X-Client", "c1");
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("rewritten", await response.Content.ReadAsStringAsync());
        Assert.Equal("yes", Header(response, "X-Rewritten"));
        var atMirror = await mirror.NextAsync();
        var atUpstream = await upstream.NextAsync();
        foreach (var copy in new[] { atMirror, atUpstream })
        {
            Assert.Equal("POST", copy.Method);
            Assert.Equal("/hello?a=1", copy.RawTarget);
            Assert.Equal("c1", copy.Header("X-Client"));
            Assert.Equal("payload", Encoding.UTF8.GetString(copy.Body));
        }
    }
}

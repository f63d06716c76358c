using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Plugins.GrpcWeb.A6;

namespace MirrorGate.FunctionalTests.Plugins.GrpcWeb;

/// <summary>
/// APISIX's t/plugin/grpc-web.t through a real gateway to a real gRPC server (h2c): gRPC-Web
/// requests written by hand in binary and text mode, unary and server-streaming calls, the trailer
/// frame, trailers-only errors, the preflight, the 405 and 400 refusals, an exact route, cors on
/// the same route and max_req_body_size.
/// </summary>
public sealed class GrpcWebApisixTests
{
    private const string GetRoute = "/grpc/web/a6.RouteService/GetRoute";
    private const string OkTrailer = "grpc-status:0\r\ngrpc-message:\r\n";

    internal static string Route(string uri, string upstream, string plugins = "\"grpc-web\":{}") => $$"""
        {"uri":"{{uri}}","plugins":{ {{plugins}} },
         "upstream":{"scheme":"grpc","type":"roundrobin","nodes":{"{{upstream}}":1} } }
        """;

    internal static async Task<(HttpResponseMessage Response, byte[] Body)> PostAsync(GatewayNode gateway, string path, string contentType, HttpContent content, string? origin = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.ProxyUrl + path) { Content = content };
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        var response = await gateway.Client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The body as the client sends it in <paramref name="contentType"/>'s mode.</summary>
    internal static byte[] Encode(string contentType, byte[] frames)
        => contentType.Contains("-text", StringComparison.Ordinal) ? Encoding.ASCII.GetBytes(Convert.ToBase64String(frames)) : frames;

    /// <summary>The answer's frames, decoded first in text mode.</summary>
    internal static (List<byte[]> Messages, string? Trailer) Read(string contentType, byte[] body)
        => GrpcWebWire.Split(contentType.Contains("-text", StringComparison.Ordinal) ? GrpcWebWire.DecodeText(Encoding.ASCII.GetString(body)) : body);

    [Theory]
    [InlineData("application/grpc-web")]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    [InlineData("application/grpc-web-text+proto")]
    public async Task Unary_EachContentType_GrpcUpstreamAndGrpcWebAnswer(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        var (response, body) = await PostAsync(gateway, GetRoute + "?trace=1", contentType,
            new ByteArrayContent(Encode(contentType, GrpcWebWire.Frame(new Query { Name = "hello" }))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("grpc-message,grpc-status", Header(response, "Access-Control-Expose-Headers"));
        var (messages, trailer) = Read(contentType, body);
        Assert.Equal(new Route { Name = "hello", Path = "/hello" }, A6.Route.Parser.ParseFrom(Assert.Single(messages)));
        Assert.Equal(OkTrailer, trailer);

        // The upstream got gRPC: the method path (the route's prefix gone, the query kept) and its content type.
        var call = Assert.Single(upstream.Calls);
        Assert.Equal(("POST", "/a6.RouteService/GetRoute?trace=1", "HTTP/2", "application/grpc"), (call.Method, call.PathAndQuery, call.Protocol, call.ContentType));
    }

    [Theory]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    public async Task Unary_ChunkedBodyInUnevenPieces_DecodedAsItStreams(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        // A long name, sent chunked: base64 quanta and gRPC frame edges fall anywhere between reads.
        var name = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + i % 26)));
        var (response, body) = await PostAsync(gateway, "/grpc/web/a6.RouteService/GetError", contentType,
            new ChunkedContent(Encode(contentType, GrpcWebWire.Frame(new Query { Name = name }))));

        // GetError fails whatever it is asked: that it answered at all means it parsed the whole message.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("13", Header(response, "grpc-status"));
        Assert.Empty(body);
        Assert.Null(Assert.Single(upstream.Calls).ContentLength);
    }

    [Theory]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    public async Task ServerStreaming_EveryMessageThenTrailerFrame(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        var (response, body) = await PostAsync(gateway, "/grpc/web/a6.RouteService/GetRoutes", contentType,
            new ByteArrayContent(Encode(contentType, GrpcWebWire.Frame(new Query()))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (messages, trailer) = Read(contentType, body);
        Assert.Equal(["hello", "world"], messages.Select(m => A6.Route.Parser.ParseFrom(m).Name));
        Assert.Equal(OkTrailer, trailer);
    }

    /// <summary>Over h2c the trailer frame is in the body too, and the upstream's trailers are not also sent as HTTP trailers.</summary>
    [Theory]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    public async Task Http2Client_TrailerFrameInBodyNoHttpTrailers(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync(withHttp2Port: true);
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{gateway.Http2Port}/grpc/web/a6.RouteService/GetRoutes")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Encode(contentType, GrpcWebWire.Frame(new Query { Name = "then-fail" }))),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (messages, trailer) = Read(contentType, body);
        Assert.Equal("hello", A6.Route.Parser.ParseFrom(Assert.Single(messages)).Name);
        Assert.Equal("grpc-status:5\r\ngrpc-message:no more routes\r\n", trailer);
        Assert.Empty(response.TrailingHeaders);
    }

    /// <summary>As APISIX: an upstream that cannot be reached gives the gateway's 502, converted like any answer (status 2 in the trailer frame).</summary>
    [Fact]
    public async Task UpstreamDown_502WithTrailerFrame()
    {
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", $"127.0.0.1:{FreePort.Next()}"));

        var (response, body) = await PostAsync(gateway, GetRoute, "application/grpc-web-text",
            new ByteArrayContent(Encode("application/grpc-web-text", GrpcWebWire.Frame(new Query { Name = "hello" }))));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/grpc-web-text", response.Content.Headers.ContentType?.ToString());
        var decoded = GrpcWebWire.DecodeText(Encoding.ASCII.GetString(body));
        Assert.Contains("502 Bad Gateway", Encoding.ASCII.GetString(decoded));
        Assert.EndsWith("grpc-status:2\r\ngrpc-message:upstream grpc status not received\r\n", Encoding.ASCII.GetString(decoded));
    }

    /// <summary>The answer streams: the first message reaches the client while the server still holds the second back.</summary>
    [Theory]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    public async Task ServerStreaming_FirstMessageArrivesBeforeTheStreamEnds(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));
        using var request = new HttpRequestMessage(HttpMethod.Post, gateway.ProxyUrl + "/grpc/web/a6.RouteService/GetRoutes")
        {
            Content = new ByteArrayContent(Encode(contentType, GrpcWebWire.Frame(new Query { Name = "wait" }))),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var first = Encode(contentType, GrpcWebWire.Frame(new Route { Name = "hello", Path = "/hello" }));
        var received = new byte[first.Length];
        await stream.ReadExactlyAsync(received).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(first, received);
        Assert.False(upstream.Proceed.Task.IsCompleted);

        upstream.Proceed.SetResult();
        var rest = new MemoryStream();
        await stream.CopyToAsync(rest);
        var (messages, trailer) = Read(contentType, [.. received, .. rest.ToArray()]);
        Assert.Equal(["hello", "world"], messages.Select(m => A6.Route.Parser.ParseFrom(m).Name));
        Assert.Equal(OkTrailer, trailer);
    }

    [Theory]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    public async Task ErrorAfterData_StatusInTrailerFrame(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        var (response, body) = await PostAsync(gateway, "/grpc/web/a6.RouteService/GetRoutes", contentType,
            new ByteArrayContent(Encode(contentType, GrpcWebWire.Frame(new Query { Name = "then-fail" }))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (messages, trailer) = Read(contentType, body);
        Assert.Equal("hello", A6.Route.Parser.ParseFrom(Assert.Single(messages)).Name);
        Assert.Equal("grpc-status:5\r\ngrpc-message:no more routes\r\n", trailer);
        Assert.False(response.Headers.Contains("grpc-status"));
    }

    /// <summary>grpc-web.t TEST 17-18: an error without data comes trailers-only, its status in the headers and an empty body.</summary>
    [Theory]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    public async Task ErrorWithoutData_TrailersOnlyEmptyBody(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        var (response, body) = await PostAsync(gateway, "/grpc/web/a6.RouteService/GetError", contentType,
            new ByteArrayContent(Encode(contentType, GrpcWebWire.Frame(new Query { Name = "world" }))));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("13", Header(response, "grpc-status"));
        Assert.Equal("expected error", Header(response, "grpc-message"));
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.Empty(body);
    }

    /// <summary>grpc-web.t TEST 4, 14-16: the preflight is answered by the gateway with the CORS headers; the upstream sees nothing.</summary>
    [Theory]
    [InlineData("{}", "content-type,x-grpc-web,x-user-agent")]
    [InlineData("""{"cors_allow_headers":"grpc-accept-encoding"}""", "grpc-accept-encoding")]
    public async Task Options_Preflight204WithCorsHeaders(string config, string allowHeaders)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address, $"\"grpc-web\":{config}"));

        using var request = new HttpRequestMessage(HttpMethod.Options, gateway.ProxyUrl + GetRoute);
        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("POST", Header(response, "Access-Control-Allow-Methods"));
        Assert.Equal(allowHeaders, Header(response, "Access-Control-Allow-Headers"));
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("grpc-message,grpc-status", Header(response, "Access-Control-Expose-Headers"));
        Assert.Empty(upstream.Calls);
    }

    /// <summary>grpc-web.t TEST 5.</summary>
    [Fact]
    public async Task Get_405WithNginxPageAndLog()
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + GetRoute);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>405 Not Allowed</title>", await response.Content.ReadAsStringAsync());
        Assert.True(gateway.Logs.Contains("request method: `GET` invalid"));
        Assert.Empty(upstream.Calls);
    }

    /// <summary>grpc-web.t TEST 6.</summary>
    [Theory]
    [InlineData("application/json")]
    [InlineData("application/grpc")]
    [InlineData("application/grpc-web; charset=utf-8")]
    public async Task OtherContentType_400WithNginxPageAndLog(string contentType)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        var (response, body) = await PostAsync(gateway, GetRoute, contentType, new ByteArrayContent("{}"u8.ToArray()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>400 Bad Request</title>", Encoding.ASCII.GetString(body));
        Assert.True(gateway.Logs.Contains($"request Content-Type: `{contentType}` invalid"));
        Assert.Empty(upstream.Calls);
    }

    /// <summary>grpc-web.t TEST 7-8 (APISIX 3.15+): an exact route is served, its path goes upstream as it is.</summary>
    [Fact]
    public async Task ExactRoute_PathKept()
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(GetRoute, upstream.Address));

        var (response, _) = await PostAsync(gateway, GetRoute, "application/grpc-web", new ByteArrayContent(GrpcWebWire.Frame(new Query { Name = "hello" })));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc-web", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal(GetRoute, Assert.Single(upstream.Calls).PathAndQuery);
        Assert.Equal("12", Header(response, "grpc-status")); // nothing is served at that path: UNIMPLEMENTED
    }

    [Fact]
    public async Task GlobalRule_ConvertsOnARouteWithoutPlugins_HeaderFilterRuns()
    {
        // grpc-web in a global rule: its header filter runs too, so the answer carries its CORS headers.
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        var put = await MirrorGate.FunctionalTests.Admin.AdminCall.PutAsync(gateway, "/apisix/admin/global_rules/1", """{"plugins":{"grpc-web":{}}}""");
        Assert.True(put.Status is 200 or 201, put.Body);
        await gateway.PutRouteAsync("1", $$"""{"uri":"/grpc/web/*","upstream":{"scheme":"grpc","type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        var (response, body) = await PostAsync(gateway, GetRoute, "application/grpc-web",
            new ByteArrayContent(GrpcWebWire.Frame(new Query { Name = "hello" })));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc-web", response.Content.Headers.ContentType?.ToString());
        Assert.Equal("*", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("grpc-message,grpc-status", Header(response, "Access-Control-Expose-Headers"));
        Assert.Equal("/a6.RouteService/GetRoute", Assert.Single(upstream.Calls).PathAndQuery);
        var (messages, trailer) = Read("application/grpc-web", body);
        Assert.Equal(new Route { Name = "hello", Path = "/hello" }, A6.Route.Parser.ParseFrom(Assert.Single(messages)));
        Assert.Equal(OkTrailer, trailer);
    }

    /// <summary>grpc-web.t TEST 9-11: cors's allowed origin stays, grpc-web's exposed headers win.</summary>
    [Fact]
    public async Task WithCors_OriginFromCorsExposeHeadersFromGrpcWeb()
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address, """
            "grpc-web":{},
            "cors":{"allow_origins":"http://test.com","allow_methods":"POST,OPTIONS","allow_headers":"application/grpc-web",
                    "expose_headers":"application/grpc-web","max_age":5,"allow_credential":true}
            """));

        var (response, body) = await PostAsync(gateway, GetRoute, "application/grpc-web-text",
            new ByteArrayContent(Encode("application/grpc-web-text", GrpcWebWire.Frame(new Query { Name = "world" }))), origin: "http://test.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("http://test.com", Header(response, "Access-Control-Allow-Origin"));
        Assert.Equal("grpc-message,grpc-status", Header(response, "Access-Control-Expose-Headers"));
        Assert.Equal("world", A6.Route.Parser.ParseFrom(Assert.Single(Read("application/grpc-web-text", body).Messages)).Name);
    }

    [Theory]
    [InlineData("application/grpc-web+proto", false)]
    [InlineData("application/grpc-web-text", false)]
    [InlineData("application/grpc-web+proto", true)]
    [InlineData("application/grpc-web-text", true)]
    public async Task BodyOverMaxReqBodySize_400NotForwardedWhenLengthDeclared(string contentType, bool chunked)
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address, "\"grpc-web\":{\"max_req_body_size\":100}"));
        var data = Encode(contentType, GrpcWebWire.Frame(new Query { Name = new string('x', 200) }));

        var (response, _) = await PostAsync(gateway, GetRoute, contentType, chunked ? new ChunkedContent(data) : new ByteArrayContent(data));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(gateway.Logs.Contains("is greater than the maximum size 100 allowed"));
        if (!chunked)
        {
            Assert.True(gateway.Logs.Contains($"request size {data.Length} is greater than the maximum size 100 allowed"));
            Assert.Empty(upstream.Calls);
        }
    }

    [Fact]
    public async Task EmptyBody_400()
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address));

        var (response, _) = await PostAsync(gateway, GetRoute, "application/grpc-web", new ByteArrayContent([]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(gateway.Logs.Contains("failed to read request body"));
        Assert.Empty(upstream.Calls);
    }

    [Theory]
    [InlineData("""{"max_req_body_size":0}""", "property \\\"max_req_body_size\\\" validation failed: expected 0 to be at least 1")]
    [InlineData("""{"max_req_body_size":1e30}""", "property \\\"max_req_body_size\\\" validation failed: expected 1e30 to be at most 9223372036854775807")]
    [InlineData("""{"cors_allow_headers":"a\r\nX-Injected: 1"}""", "property \\\"cors_allow_headers\\\" validation failed: control characters are not allowed in a header value")]
    [InlineData("""{"cors_allow_headers":5}""", "property \\\"cors_allow_headers\\\" validation failed: wrong type: expected string, got number")]
    public async Task AdminApi_BadConfig_400(string config, string error)
    {
        await using var gateway = await GatewayNode.StartAsync();
        var (status, body) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/routes/1", Route("/grpc/web/*", "127.0.0.1:1", $"\"grpc-web\":{config}"));

        Assert.Equal(400, status);
        Assert.Equal($$"""{"error_msg":"failed to check the configuration of plugin grpc-web err: {{error}}"}""", body);
    }

    [Fact]
    public async Task MaxReqBodySizeWrittenAsFloat_Served()
    {
        await using var upstream = await RouteServiceServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route("/grpc/web/*", upstream.Address, "\"grpc-web\":{\"max_req_body_size\":1e3}"));

        var (response, body) = await PostAsync(gateway, GetRoute, "application/grpc-web", new ByteArrayContent(GrpcWebWire.Frame(new Query { Name = "hello" })));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(OkTrailer, Read("application/grpc-web", body).Trailer);
    }

    private static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}

using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Grpc;
using MirrorGate.FunctionalTests.Grpc.HelloWorld;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins.GrpcWeb;

/// <summary>
/// APISIX's proxy-mirror3.t TEST 2: grpc-web and proxy-mirror on one route; the grpc:// mirror gets
/// the request after conversion (the gRPC method path, application/grpc, the decoded message), byte
/// for byte, and a body grpc-web cannot read reaches no mirror.
/// </summary>
public sealed class GrpcWebMirrorTests
{
    // The curl of proxy-mirror3.t: a frame of HelloRequest{name: "apisix"}.
    private static readonly byte[] SayHelloApisix = [0, 0, 0, 0, 8, 0x0a, 6, (byte)'a', (byte)'p', (byte)'i', (byte)'s', (byte)'i', (byte)'x'];

    private static string MirroredRoute(string mirror, string upstream) => GrpcWebApisixTests.Route("/grpc/web/*", upstream,
        $"\"grpc-web\":{{}},\"proxy-mirror\":{{\"host\":\"grpc://{mirror}\",\"sample_ratio\":1}}");

    [Theory]
    [InlineData("application/grpc-web+proto")]
    [InlineData("application/grpc-web-text")]
    public async Task SayHello_MirrorGetsConvertedGrpcRequest(string contentType)
    {
        await using var greeter = await GreeterServer.StartAsync();
        await using var mirror = await StartGrpcMirrorAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", MirroredRoute(mirror.Address, greeter.Address));

        var (response, body) = await GrpcWebApisixTests.PostAsync(gateway, "/grpc/web/helloworld.Greeter/SayHello", contentType,
            new ByteArrayContent(GrpcWebApisixTests.Encode(contentType, SayHelloApisix)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var (messages, trailer) = GrpcWebApisixTests.Read(contentType, body);
        Assert.Equal("Hello apisix", HelloReply.Parser.ParseFrom(Assert.Single(messages)).Message);
        Assert.Equal("grpc-status:0\r\ngrpc-message:\r\n", trailer);

        var mirrored = await mirror.NextAsync();
        Assert.Equal(("POST", "/helloworld.Greeter/SayHello", "HTTP/2"), (mirrored.Method, mirrored.RawTarget, mirrored.Protocol));
        Assert.Equal("application/grpc", mirrored.Header("Content-Type"));
        Assert.Equal(SayHelloApisix, mirrored.Body);
        Assert.True(mirrored.BodyComplete);
    }

    [Theory]
    [InlineData("AAAAAAgKBmFwaXNpeA*=")]   // a character base64 does not have, near the end
    [InlineData("AAAAAAgKBmFwaXNpeA=x")]   // a character inside the padding
    public async Task NotBase64_400AndNoCopy(string body)
    {
        await using var greeter = await GreeterServer.StartAsync();
        await using var mirror = await StartGrpcMirrorAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", MirroredRoute(mirror.Address, greeter.Address));

        var (response, _) = await GrpcWebApisixTests.PostAsync(gateway, "/grpc/web/helloworld.Greeter/SayHello", "application/grpc-web-text",
            new ChunkedContent(Encoding.ASCII.GetBytes(body)));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, string.Join("\n", gateway.Logs.Lines.Select(l => l.Category + ": " + l.Message)));
        await gateway.Logs.WaitForAsync("failed to decode request body");

        // The copy is dropped (its body never ended), never sent cut short.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", "route=\"1\"") < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", "route=\"1\""));
        Assert.Equal(0, mirror.Count);
    }

    /// <summary>An h2c server answering every call as a gRPC server would (status OK, no message).</summary>
    private static async Task<RecordingServer> StartGrpcMirrorAsync()
    {
        var mirror = await RecordingServer.StartAsync(http2Only: true);
        mirror.Respond = static http =>
        {
            http.Response.ContentType = "application/grpc";
            http.Response.AppendTrailer("grpc-status", "0");
            return Task.CompletedTask;
        };
        return mirror;
    }
}

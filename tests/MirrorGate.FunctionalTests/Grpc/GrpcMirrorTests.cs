using Grpc.Net.Client;
using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Grpc.HelloWorld;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Grpc;

/// <summary>
/// APISIX's proxy-mirror3.t: a real gRPC call through the gateway's h2c port to a gRPC upstream,
/// mirrored to a grpc:// (h2c) mirror that gets the gRPC path and the 13-byte framed message.
/// </summary>
public sealed class GrpcMirrorTests
{
    [Fact]
    public async Task SayHello_GrpcMirror_ReplyArrivesAndMirrorGetsGrpcPathAndMessage()
    {
        await using var greeter = await GreeterServer.StartAsync();
        await using var mirror = await StartGrpcMirrorAsync();
        await using var gateway = await GatewayNode.StartAsync(withHttp2Port: true);
        await gateway.PutRouteAsync("1", GrpcRoute($"grpc://{mirror.Address}", greeter.Address));

        var reply = await SayHelloAsync(gateway, "apisix");

        Assert.Equal("Hello apisix", reply.Message);
        var mirrored = await mirror.NextAsync();
        Assert.Equal("POST", mirrored.Method);
        Assert.Equal("/helloworld.Greeter/SayHello", mirrored.RawTarget);
        Assert.Equal("HTTP/2", mirrored.Protocol);
        Assert.Equal("application/grpc", mirrored.Header("Content-Type"));
        Assert.Equal("trailers", mirrored.Header("TE"));

        // 5-byte gRPC frame header (uncompressed, length 8), then HelloRequest{name="apisix"}.
        Assert.Equal(13, mirrored.Body.Length);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 8, 0x0a, 6, (byte)'a', (byte)'p', (byte)'i', (byte)'s', (byte)'i', (byte)'x' }, mirrored.Body);
    }

    [Fact]
    public async Task SayHello_MirrorDown_ReplyArrivesAndFailureCounted()
    {
        await using var greeter = await GreeterServer.StartAsync();
        var deadMirror = $"grpc://127.0.0.1:{FreePort.Next()}";
        await using var gateway = await GatewayNode.StartAsync(withHttp2Port: true);
        await gateway.PutRouteAsync("1", GrpcRoute(deadMirror, greeter.Address));

        for (var i = 0; i < 3; i++)
        {
            var reply = await SayHelloAsync(gateway, $"apisix{i}");
            Assert.Equal($"Hello apisix{i}", reply.Message);
        }

        // The mirror leg did run (and failed to connect) rather than being skipped.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        double failed;
        while ((failed = await gateway.MetricSumAsync("mirrorgate_mirror_failed_total", "reason=\"connect\"")) < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(3, failed);
    }

    private static string GrpcRoute(string mirrorHost, string greeterAddress) => $$"""
        {"uris":["/helloworld.Greeter/SayHello"],"methods":["POST"],
         "plugins":{"proxy-mirror":{"host":"{{mirrorHost}}","sample_ratio":1} },
         "upstream":{"scheme":"grpc","type":"roundrobin","nodes":{"{{greeterAddress}}":1} } }
        """;

    private static async Task<HelloReply> SayHelloAsync(GatewayNode gateway, string name)
    {
        // http:// with a gRPC channel means HTTP/2 with prior knowledge (h2c), as grpcurl -plaintext.
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{gateway.Http2Port}");
        var client = new Greeter.GreeterClient(channel);
        return await client.SayHelloAsync(new HelloRequest { Name = name }, deadline: DateTime.UtcNow.AddSeconds(30));
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

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>
/// A compared copy on the HTTP/2 (gRPC) lane: comparison is refused for grpc targets when a
/// route is saved, but a copy that carries a sink anyway has it told once: the answer's status,
/// headers and body prefix, or no answer when the mirror cannot be reached.
/// </summary>
public sealed class Http2LaneCaptureTests
{
    [Fact]
    public async Task Enqueue_GrpcCopyWithSink_SinkToldStatusHeadersAndBodyPrefixOnce()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        await using var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["X-Mirror"] = "h2";
            await context.Response.WriteAsync("0123456789abcdef");
        });
        await app.StartAsync();
        var port = new Uri(app.Urls.First()).Port;

        using var metrics = new MirrorMetrics();
        var budget = new MirrorMemoryBudget(() => 1L << 30);
        await using var dispatcher = TestDispatcher.Create(ProxyMirrorSettings.Default, metrics, budget);
        var sink = new RecordingAnswerSink(maxBodyBytes: 10);
        var request = TestRequests.Post(metrics, budget, "grpc", 3, $"grpc://127.0.0.1:{port}", "/svc/Method", sink: sink);
        var grpc = new MirrorRequest
        {
            Method = request.Method,
            Origin = request.Origin,
            PathAndQuery = request.PathAndQuery,
            Version = HttpVersion.Version20,
            Host = request.Host,
            Headers = request.Headers,
            Body = request.Body,
            Metrics = request.Metrics,
            AnswerSink = sink,
        };

        Assert.True(dispatcher.TryEnqueue(grpc));
        await RecordingAnswerSink.WaitAllToldAsync(sink);

        var answer = sink.Answer;
        Assert.Equal(200, answer.Status);
        Assert.Equal("0123456789"u8.ToArray(), answer.Body.ToArray());
        Assert.Equal(16, answer.BodyLength);
        Assert.Contains(answer.Headers, h => string.Equals(h.Key, "X-Mirror", StringComparison.OrdinalIgnoreCase) && h.Value.SequenceEqual(["h2"]));
        Assert.Contains(answer.Headers, h => string.Equals(h.Key, "Content-Type", StringComparison.OrdinalIgnoreCase) && h.Value.SequenceEqual(["application/grpc"]));
    }
}

using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Grpc.HelloWorld;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Grpc;

/// <summary>
/// A real gRPC Greeter (APISIX's test service) on 127.0.0.1, cleartext HTTP/2 only (h2c), as a
/// gRPC upstream of the gateway.
/// </summary>
internal sealed class GreeterServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GreeterServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"127.0.0.1:{Port}";

    public static async Task<GreeterServer> StartAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddGrpc();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
            var app = builder.Build();
            app.MapGrpcService<GreeterService>();
            try
            {
                await app.StartAsync();
                return new GreeterServer(app, port);
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2).ToCancellationToken());
        await _app.DisposeAsync();
    }

    private sealed class GreeterService : Greeter.GreeterBase
    {
        public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
            => Task.FromResult(new HelloReply { Message = "Hello " + request.Name });
    }
}

using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Grpc.HelloWorld;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Grpc;

/// <summary>
/// A real gRPC Greeter (APISIX's test service) on 127.0.0.1, cleartext HTTP/2 only (h2c), as a
/// gRPC upstream of the gateway.
/// </summary>
internal static class GreeterServer
{
    public static Task<TestServerHost> StartAsync()
        => TestServerHost.StartAsync(HttpProtocols.Http2, app => app.MapGrpcService<GreeterService>(), builder => builder.Services.AddGrpc());

    private sealed class GreeterService : Greeter.GreeterBase
    {
        public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
            => Task.FromResult(new HelloReply { Message = "Hello " + request.Name });
    }
}

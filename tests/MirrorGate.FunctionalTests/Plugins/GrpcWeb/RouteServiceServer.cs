using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Plugins.GrpcWeb.A6;

namespace MirrorGate.FunctionalTests.Plugins.GrpcWeb;

/// <summary>
/// A real gRPC server (Grpc.AspNetCore, h2c) serving APISIX's grpc-web test service with its data
/// (routes "hello" and "world"); it records the head of each call it receives.
/// </summary>
internal sealed class RouteServiceServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<UpstreamCall> _calls = new();
    private TestServerHost? _host;

    public string Address => _host!.Address;

    public IReadOnlyList<UpstreamCall> Calls => _calls.ToArray();

    /// <summary>A GetRoutes query named "wait" sends its first route, then waits for this before the rest.</summary>
    public TaskCompletionSource Proceed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<RouteServiceServer> StartAsync()
    {
        var server = new RouteServiceServer();
        server._host = await TestServerHost.StartAsync(
            HttpProtocols.Http2,
            app =>
            {
                app.Use(async (http, next) =>
                {
                    server._calls.Enqueue(new UpstreamCall(http.Request.Method, http.Request.Path + http.Request.QueryString, http.Request.Protocol, http.Request.ContentType, http.Request.Headers.ContentLength));
                    if (!http.Request.Path.StartsWithSegments("/a6.RouteService"))
                    {
                        // As grpc-go answers a method it does not serve: trailers-only UNIMPLEMENTED.
                        http.Response.ContentType = "application/grpc";
                        http.Response.Headers["grpc-status"] = "12";
                        http.Response.Headers["grpc-message"] = "unknown service";
                        return;
                    }

                    await next(http);
                });
                app.MapGrpcService<RouteServiceImpl>();
            },
            builder =>
            {
                builder.Services.AddGrpc();
                builder.Services.AddSingleton(server);
            });
        return server;
    }

    public ValueTask DisposeAsync() => _host!.DisposeAsync();

    private sealed class RouteServiceImpl(RouteServiceServer server) : RouteService.RouteServiceBase
    {
        private static readonly Route[] Saved = [new() { Name = "hello", Path = "/hello" }, new() { Name = "world", Path = "/world" }];

        public override Task<Route> GetRoute(Query request, ServerCallContext context)
            => Array.Find(Saved, r => r.Name == request.Name) is { } route
                ? Task.FromResult(route)
                : throw new RpcException(new Status(StatusCode.NotFound, "route not found"));

        /// <summary>Every saved route; a query named "then-fail" gets the first one and then NOT_FOUND (a status after data, in the trailers).</summary>
        public override async Task GetRoutes(Query request, IServerStreamWriter<Route> responseStream, ServerCallContext context)
        {
            foreach (var route in Saved)
            {
                await responseStream.WriteAsync(route);
                if (request.Name == "then-fail")
                {
                    throw new RpcException(new Status(StatusCode.NotFound, "no more routes"));
                }

                if (request.Name == "wait")
                {
                    await server.Proceed.Task.WaitAsync(TimeSpan.FromSeconds(30), context.CancellationToken);
                }
            }
        }

        public override Task<Route> GetError(Query request, ServerCallContext context)
            => throw new RpcException(new Status(StatusCode.Internal, "expected error"));
    }
}

/// <summary>The head of one call the gRPC upstream received.</summary>
internal sealed record UpstreamCall(string Method, string PathAndQuery, string Protocol, string? ContentType, long? ContentLength);

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>A real Kestrel upstream on 127.0.0.1 whose handler sees the request as it streams in (nothing buffered first).</summary>
internal static class LambdaServer
{
    public static Task<TestServerHost> StartAsync(RequestDelegate handler)
        => TestServerHost.StartAsync(HttpProtocols.Http1, app => ((IApplicationBuilder)app).Run(handler));
}

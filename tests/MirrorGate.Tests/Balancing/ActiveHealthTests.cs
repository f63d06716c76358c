using MirrorGate.Tests.TestSupport;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

/// <summary>
/// Active probes against real servers on 127.0.0.1. The checker's clock is manual: each poll
/// step advances it one second, so probe intervals pass without real waiting, and every wait
/// has a real-time deadline. Probe timeouts are long so real socket latency never counts as one.
/// </summary>
public sealed class ActiveHealthTests
{
    [Fact]
    public async Task ActiveHttpProbe_ServerStartsFailingThenRecovers_NodeFlipsAndBalancerFollows()
    {
        await using var flaky = await ProbeTarget.StartAsync();
        await using var steady = await ProbeTarget.StartAsync();
        var upstream = Upstream($$"""
            {"nodes": {"127.0.0.1:{{flaky.Port}}": 1, "127.0.0.1:{{steady.Port}}": 1},
             "checks": {"active": {"http_path": "/status", "timeout": 3600, "host": "probe.example",
                                   "req_headers": ["X-Probe: yes"],
                                   "healthy": {"interval": 1, "successes": 1},
                                   "unhealthy": {"interval": 1, "http_failures": 2} } } }
            """);
        var time = new ManualTimeProvider();
        using var health = HealthChecker.Create(upstream, time)!;
        var balancer = LoadBalancerFactory.Create(upstream, health);
        var flakyNode = Node(balancer, $"127.0.0.1:{flaky.Port}");
        var steadyNode = Node(balancer, $"127.0.0.1:{steady.Port}");

        await WaitUntilAsync(() => flaky.Probes.Count > 0);
        Assert.True(health.IsHealthy(flakyNode));
        Assert.Equal(("probe.example", "yes", "/status"), flaky.Probes.First());

        flaky.Status = 500;
        await WaitUntilAsync(() => !health.IsHealthy(flakyNode), () => time.Advance(TimeSpan.FromSeconds(1)));

        Assert.True(health.IsHealthy(steadyNode));
        Assert.Equal(0, Count(balancer, 20)[flakyNode.Authority]);

        flaky.Status = 200;
        await WaitUntilAsync(() => health.IsHealthy(flakyNode), () => time.Advance(TimeSpan.FromSeconds(1)));

        Assert.Equal(10, Count(balancer, 20)[flakyNode.Authority]);
    }

    [Fact]
    public async Task ActiveHttpProbe_ServerNeverAnswers_TimeoutMarksUnhealthy()
    {
        // Accepts connections but never answers: only the (injected) probe timeout ends a probe.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new ConcurrentBag<TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptTcpClientAsync());
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var upstream = Upstream($$"""
            {"nodes": {"127.0.0.1:{{port}}": 1},
             "checks": {"active": {"timeout": 2, "unhealthy": {"interval": 1, "timeouts": 1} } } }
            """);
        var time = new ManualTimeProvider();
        using var health = HealthChecker.Create(upstream, time)!;

        await WaitUntilAsync(() => !health.IsHealthy(health.Nodes[0]), () => time.Advance(TimeSpan.FromSeconds(1)));

        foreach (var client in accepted)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task ActiveTcpProbe_ListenerStops_NodeMarkedUnhealthy()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var upstream = Upstream($$"""
            {"nodes": {"127.0.0.1:{{port}}": 1},
             "checks": {"active": {"type": "tcp", "timeout": 3600, "unhealthy": {"interval": 1, "tcp_failures": 1} } } }
            """);
        var time = new ManualTimeProvider();
        using var health = HealthChecker.Create(upstream, time)!;

        // A probe connects (and is accepted) while the listener is up, and the node stays healthy.
        using (var probe = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(15)))
        {
            Assert.True(health.IsHealthy(health.Nodes[0]));
        }

        listener.Stop();

        await WaitUntilAsync(() => !health.IsHealthy(health.Nodes[0]), () => time.Advance(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Dispose_ActiveLoopRunning_LoopEnds()
    {
        var upstream = Upstream("""{"nodes": {"127.0.0.1:1": 1}, "checks": {"active": {"type": "tcp"}}}""");
        var health = HealthChecker.Create(upstream, new ManualTimeProvider())!;

        health.Dispose();

        await health.Completion.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>A real Kestrel server answering probes with a status the test switches.</summary>
    private sealed class ProbeTarget : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private volatile int _status = 200;

        private ProbeTarget(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }

        public int Status
        {
            get => _status;
            set => _status = value;
        }

        public ConcurrentQueue<(string Host, string Header, string Path)> Probes { get; } = new();

        public static async Task<ProbeTarget> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            ProbeTarget? target = null;
            app.Run(context =>
            {
                target!.Probes.Enqueue((context.Request.Host.Value ?? "", context.Request.Headers["X-Probe"].ToString(), context.Request.Path.Value ?? ""));
                context.Response.StatusCode = target.Status;
                return Task.CompletedTask;
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            target = new ProbeTarget(app, new Uri(address).Port);
            return target;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}

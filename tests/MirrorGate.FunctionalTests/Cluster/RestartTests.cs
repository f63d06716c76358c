using MirrorGate.FunctionalTests.Process;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Proxy;
using Xunit.Abstractions;

namespace MirrorGate.FunctionalTests.Cluster;

/// <summary>Gateway processes (the real executable) on one etcd: a node that was down while others wrote catches up.</summary>
public sealed class RestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NodeRestartedWhileOthersWrite_ServesEveryChangeAfterStart()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await ProxyKit.NamedAsync("up");
        using var writerDirectory = ClusterKit.EtcdDirectory(etcd);
        using var restartedDirectory = ClusterKit.EtcdDirectory(etcd);
        using var writer = await writerDirectory.StartFreshAsync();
        var restarted = await restartedDirectory.StartFreshAsync();
        try
        {
            await PutAsync(writerDirectory, "/apisix/admin/upstreams/u", ProxyKit.To(upstream));
            for (var i = 0; i < 10; i++)
            {
                await PutAsync(writerDirectory, $"/apisix/admin/routes/r{i}", $$"""{"uri":"/r/{{i}}","upstream_id":"u"}""");
            }

            await ClusterKit.WaitForStatusAsync(restartedDirectory.ProxyUrl, "/r/9", 200);

            restarted.Terminate();
            Assert.Equal(0, await restarted.WaitForExitAsync());
            restarted.Dispose();

            // Writes while the node is down, and more while it starts again.
            for (var i = 10; i < 20; i++)
            {
                await PutAsync(writerDirectory, $"/apisix/admin/routes/r{i}", $$"""{"uri":"/r/{{i}}","upstream_id":"u"}""");
            }

            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(200, (await ClusterKit.AdminAsync(writerDirectory.AdminPort, HttpMethod.Delete, $"/apisix/admin/routes/r{i}")).Status);
            }

            var starting = restartedDirectory.StartFreshAsync();
            for (var i = 20; i < 30; i++)
            {
                await PutAsync(writerDirectory, $"/apisix/admin/routes/r{i}", $$"""{"uri":"/r/{{i}}","upstream_id":"u"}""");
            }

            restarted = await starting;
            var elapsed = await ClusterKit.WaitForStatusAsync(restartedDirectory.ProxyUrl, "/r/29", 200, TimeSpan.FromSeconds(15));
            output.WriteLine($"the restarted node served the last write {elapsed.TotalMilliseconds:F0} ms after it listened");
            for (var i = 0; i < 30; i++)
            {
                Assert.Equal(i < 5 ? 404 : 200, (await ClusterKit.GetAsync(restartedDirectory.ProxyUrl, $"/r/{i}")).Status);
            }

            // Its Admin API shows the shared state too, and its writes reach the other node.
            var (status, body) = await ClusterKit.AdminAsync(restartedDirectory.AdminPort, HttpMethod.Get, "/apisix/admin/routes");
            Assert.Equal(200, status);
            Assert.Contains("\"total\":25", body, StringComparison.Ordinal);
            await PutAsync(restartedDirectory, "/apisix/admin/routes/back", """{"uri":"/back","upstream_id":"u"}""");
            await ClusterKit.WaitForStatusAsync(writerDirectory.ProxyUrl, "/back", 200, TimeSpan.FromSeconds(10));
        }
        finally
        {
            restarted.Dispose();
        }
    }

    [Fact]
    public async Task Start_EtcdUnreachable_RetriesThenExitsNamingTheEndpoints()
    {
        var closedPort = FreePort.Next();
        var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", "cluster-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var config = Path.Combine(directory, "config.yaml");
            await File.WriteAllTextAsync(config, GatewayNode.RenderConfig(directory, FreePort.Next(), FreePort.Next(), FreePort.Next(), null, null, null, null, $$"""
                  role_traditional: {config_provider: etcd}
                  etcd:
                    host: ["http://127.0.0.1:{{closedPort}}"]
                    timeout: 1
                    startup_retry: 2
                """));
            using var process = Process.GatewayProcess.Start(directory, "-c", config);
            Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"http://127.0.0.1:{closedPort}", process.Output.Split('\n').Last(l => l.StartsWith("mirrorgate:", StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.Contains("retrying", process.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task PutAsync(NodeDirectory node, string path, string json)
    {
        var (status, body) = await ClusterKit.AdminAsync(node.AdminPort, HttpMethod.Put, path, json);
        Assert.True(status is 200 or 201, $"PUT {path} answered {status}: {body}");
    }
}

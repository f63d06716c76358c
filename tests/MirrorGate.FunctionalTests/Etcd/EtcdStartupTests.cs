using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Process;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>Starting with etcd down: bounded retries with a reason each time, then a clear failure.</summary>
public sealed class EtcdStartupTests
{
    [Fact]
    public async Task InitializeAsync_EtcdDown_RetriesForBoundedTimeThenFailsNamingEndpoints()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await etcd.StopAsync();
        var logs = new CapturedLogs();
        // startup_retry 2 with timeout 1 s: three attempts' worth of time, 3 s in all.
        await using var store = EtcdTestStores.Create(EtcdTestStores.Config(etcd, timeoutSeconds: 1, startupRetry: 2), logs);

        var clock = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));
        clock.Stop();

        Assert.Contains($"cannot reach etcd at {etcd.ClientUrl}", failure.Message, StringComparison.Ordinal);
        Assert.Contains("startup_retry 2", failure.Message, StringComparison.Ordinal);
        var retries = logs.Lines.Where(l => l.Level == LogLevel.Warning && l.Message.Contains("not reachable yet", StringComparison.Ordinal)).ToList();
        Assert.True(retries.Count >= 2, $"{retries.Count} retry lines");
        Assert.All(retries, l => Assert.Contains(etcd.ClientUrl, l.Message, StringComparison.Ordinal));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task InitializeAsync_EtcdComesUpDuringRetries_Succeeds()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await etcd.StopAsync();
        var logs = new CapturedLogs();
        await using var store = EtcdTestStores.Create(EtcdTestStores.Config(etcd, timeoutSeconds: 5, startupRetry: 5), logs);

        var initialize = store.InitializeAsync(CancellationToken.None);
        await logs.WaitForAsync("not reachable yet", TimeSpan.FromSeconds(20));
        await etcd.RestartAsync();
        await initialize.WaitAsync(TimeSpan.FromSeconds(40));
        await store.PutAsync(ResourceKind.Route, "1", """{"id":"1","uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":1},"type":"roundrobin"}}""", null, CancellationToken.None);

        Assert.Equal("1", Assert.Single((await store.LoadAllAsync(CancellationToken.None)).Items).Id);
        Assert.True(logs.Contains("answered on attempt"));
    }

    [Fact]
    public async Task Executable_EtcdDown_ExitsWithCode1AndMessageNamingEndpoints()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await etcd.StopAsync();
        var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var configPath = Path.Combine(directory, "config.yaml");
            await File.WriteAllTextAsync(configPath, GatewayNode.RenderConfig(directory, FreePort.Next(), FreePort.Next(), FreePort.Next(), null, null, null,
                storeYaml: EtcdTestStores.DeploymentYaml(etcd, timeoutSeconds: 1, startupRetry: 1)));

            using var node = GatewayProcess.Start(directory, "-c", configPath);
            var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(1, exitCode);
            Assert.Contains($"mirrorgate: cannot reach etcd at {etcd.ClientUrl}", node.Output, StringComparison.Ordinal);
            Assert.Contains("not reachable yet", node.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}

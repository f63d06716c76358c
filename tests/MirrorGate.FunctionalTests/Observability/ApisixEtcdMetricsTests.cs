using MirrorGate.FunctionalTests.Etcd;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Observability;

/// <summary><c>apisix_etcd_reachable</c> on a node whose store is a real etcd: 1, 0 while etcd is down, 1 again.</summary>
public sealed class ApisixEtcdMetricsTests
{
    [Fact]
    public async Task Scrape_EtcdStore_EtcdReachableFollowsTheServer()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        var spec = ApisixMetricSpec.Get("apisix_etcd_reachable");

        var before = Scrape.Parse(await gateway.MetricsAsync());
        await etcd.StopAsync();
        await gateway.Logs.WaitForAsync("Lost the watch on etcd", TimeSpan.FromSeconds(30));
        var during = Scrape.Parse(await gateway.MetricsAsync());
        await etcd.RestartAsync();
        var after = await PollAsync(gateway, 1, TimeSpan.FromSeconds(30));

        Assert.Equal(spec.Type, before.Types[spec.Name]);
        Assert.Equal(spec.Help, before.Helps[spec.Name]);
        Assert.Empty(Assert.Single(before.Find(spec.Name)).Labels);
        Assert.Equal(1, before.Value(spec.Name));
        Assert.Equal(0, during.Value(spec.Name));
        Assert.Equal(1, after.Value(spec.Name));
    }

    private static async Task<Scrape> PollAsync(GatewayNode gateway, double value, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var scrape = Scrape.Parse(await gateway.MetricsAsync());
            if (scrape.Value("apisix_etcd_reachable") == value || DateTime.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(100);
        }
    }
}

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Resources;
using MirrorGate.Snapshot;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>Plugin configs and global rules in a real etcd: APISIX's keys, and a node that follows writes made there.</summary>
public sealed class EtcdPluginObjectsTests
{
    private const string PluginConfig = """{"id":"pc1","plugins":{"request-id":{}}}""";
    private const string GlobalRule = """{"id":"g1","plugins":{"request-id":{"header_name":"X-Global-Id"}}}""";

    [Fact]
    public async Task Store_PutListDelete_UnderApisixKeys()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var client = etcd.CreateClient();

        var config = await store.PutAsync(ResourceKind.PluginConfig, "pc1", PluginConfig, null, CancellationToken.None);
        var rule = await store.PutAsync(ResourceKind.GlobalRule, "g1", GlobalRule, null, CancellationToken.None);

        var configKv = Assert.Single((await client.GetAsync("/apisix/plugin_configs/pc1")).Kvs);
        Assert.Equal(PluginConfig, configKv.Value.ToStringUtf8());
        Assert.Equal(config.ModifiedIndex, configKv.ModRevision);
        var ruleKv = Assert.Single((await client.GetAsync("/apisix/global_rules/g1")).Kvs);
        Assert.Equal(GlobalRule, ruleKv.Value.ToStringUtf8());
        Assert.Equal(rule.ModifiedIndex, ruleKv.ModRevision);

        Assert.Equal("pc1", Assert.Single(await store.ListAsync(ResourceKind.PluginConfig, CancellationToken.None)).Id);
        var all = await store.LoadAllAsync(CancellationToken.None);
        Assert.Equal(["global_rules/g1", "plugin_configs/pc1"], all.Items.Select(i => $"{i.Kind.Plural()}/{i.Id}"));

        Assert.NotNull(await store.DeleteAsync(ResourceKind.GlobalRule, "g1", CancellationToken.None));
        Assert.Empty((await client.GetAsync("/apisix/global_rules/g1")).Kvs);
        Assert.Null(await store.GetAsync(ResourceKind.GlobalRule, "g1", CancellationToken.None));
    }

    [Fact]
    public async Task Gateway_PluginConfigAndGlobalRuleWrittenInEtcd_AppliedAndFollowed()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        using var client = etcd.CreateClient();
        var snapshots = gateway.Services.GetRequiredService<SnapshotHolder>();

        // Written as APISIX (or its dashboard) writes them, straight into etcd.
        await client.PutAsync("/apisix/plugin_configs/pc1", """{"id":"pc1","plugins":{"proxy-rewrite":{"headers":{"set":{"X-From":"v1"}}}}}""");
        await client.PutAsync("/apisix/global_rules/g1", GlobalRule);
        var routed = await client.PutAsync("/apisix/routes/r1",
            $$"""{"id":"r1","uri":"/r","plugin_config_id":"pc1","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");
        await snapshots.WaitForRevisionAsync(routed.Header.Revision, TimeSpan.FromSeconds(15), CancellationToken.None);

        using (var first = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/r"))
        {
            Assert.Equal(200, (int)first.StatusCode);
            Assert.True(first.Headers.Contains("X-Global-Id"));
        }

        Assert.Equal("v1", (await upstream.NextAsync()).Header("X-From"));

        // A change to the plugin config alone recompiles the route that names it.
        var changed = await client.PutAsync("/apisix/plugin_configs/pc1", """{"id":"pc1","plugins":{"proxy-rewrite":{"headers":{"set":{"X-From":"v2"}}}}}""");
        await snapshots.WaitForRevisionAsync(changed.Header.Revision, TimeSpan.FromSeconds(15), CancellationToken.None);
        using (await gateway.Client.GetAsync($"{gateway.ProxyUrl}/r"))
        {
        }

        Assert.Equal("v2", (await upstream.NextAsync()).Header("X-From"));

        // The global rule gone, its plugin no longer runs.
        var deleted = await client.DeleteAsync("/apisix/global_rules/g1");
        await snapshots.WaitForRevisionAsync(deleted.Header.Revision, TimeSpan.FromSeconds(15), CancellationToken.None);
        using (var last = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/r"))
        {
            Assert.False(last.Headers.Contains("X-Global-Id"));
        }

        var (status, body) = await gateway.AdminAsync(HttpMethod.Get, "/apisix/admin/plugin_configs/pc1");
        Assert.Equal(200, status);
        Assert.Equal("/apisix/plugin_configs/pc1", JsonNode.Parse(body)!["key"]!.GetValue<string>());
    }
}

using System.Text.Json.Nodes;
using Google.Protobuf;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>The etcd store's reads and writes against a real etcd, checked on both sides.</summary>
public sealed class EtcdStoreCrudTests
{
    private const string Route = """{"id":"1","uri":"/a","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:1980":1}}}""";

    [Fact]
    public async Task Put_NewThenReplace_CreatedFlagAndRevisionsAreEtcdRevisions()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var client = etcd.CreateClient();

        var created = await store.PutAsync(ResourceKind.Route, "1", Route, null, CancellationToken.None);
        var replaced = await store.PutAsync(ResourceKind.Route, "1", Route.Replace("/a", "/b"), null, CancellationToken.None);

        Assert.True(created.Created);
        Assert.Equal(created.CreatedIndex, created.ModifiedIndex);
        Assert.False(replaced.Created);
        Assert.Equal(created.CreatedIndex, replaced.CreatedIndex);
        Assert.True(replaced.ModifiedIndex > created.ModifiedIndex);

        // What etcd holds: APISIX's key, the value byte for byte, the same revisions.
        var kv = Assert.Single((await client.GetAsync("/apisix/routes/1")).Kvs);
        Assert.Equal(Route.Replace("/a", "/b"), kv.Value.ToStringUtf8());
        Assert.Equal(created.CreatedIndex, kv.CreateRevision);
        Assert.Equal(replaced.ModifiedIndex, kv.ModRevision);

        var read = await store.GetAsync(ResourceKind.Route, "1", CancellationToken.None);
        Assert.NotNull(read);
        Assert.Equal(new StoredResource(ResourceKind.Route, "1", Route.Replace("/a", "/b"), kv.CreateRevision, kv.ModRevision), read);
    }

    [Fact]
    public async Task ListAndLoadAll_SeveralKinds_EtcdKeyOrderAndHeaderRevision()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);

        foreach (var id in new[] { "2", "10", "1" })
        {
            await store.PutAsync(ResourceKind.Route, id, Route.Replace("\"1\"", $"\"{id}\""), null, CancellationToken.None);
        }

        await store.PutAsync(ResourceKind.Upstream, "u1", """{"id":"u1","nodes":{"127.0.0.1:1980":1},"type":"roundrobin"}""", null, CancellationToken.None);
        var last = await store.PutAsync(ResourceKind.Service, "s1", """{"id":"s1","upstream_id":"u1"}""", null, CancellationToken.None);

        var routes = await store.ListAsync(ResourceKind.Route, CancellationToken.None);
        Assert.Equal(["1", "10", "2"], routes.Select(r => r.Id));
        Assert.All(routes, r => Assert.Equal(ResourceKind.Route, r.Kind));
        Assert.Equal("u1", Assert.Single(await store.ListAsync(ResourceKind.Upstream, CancellationToken.None)).Id);

        var all = await store.LoadAllAsync(CancellationToken.None);
        Assert.Equal(last.ModifiedIndex, all.Revision);
        Assert.Equal(["routes/1", "routes/10", "routes/2", "services/s1", "upstreams/u1"], all.Items.Select(i => $"{i.Kind.Plural()}/{i.Id}"));
    }

    [Fact]
    public async Task Delete_ExistingThenMissing_RevisionThenNull()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var client = etcd.CreateClient();
        var put = await store.PutAsync(ResourceKind.Route, "1", Route, null, CancellationToken.None);

        var deleted = await store.DeleteAsync(ResourceKind.Route, "1", CancellationToken.None);
        var again = await store.DeleteAsync(ResourceKind.Route, "1", CancellationToken.None);

        Assert.NotNull(deleted);
        Assert.True(deleted > put.ModifiedIndex);
        Assert.Null(again);
        Assert.Null(await store.GetAsync(ResourceKind.Route, "1", CancellationToken.None));
        Assert.Empty((await client.GetAsync("/apisix/routes/1")).Kvs);
        Assert.Equal(deleted, (await store.LoadAllAsync(CancellationToken.None)).Revision);
    }

    [Fact]
    public async Task Put_ExpectedModifiedIndex_MatchingWritesStaleOrDeletedConflicts()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        var first = await store.PutAsync(ResourceKind.Route, "1", Route, null, CancellationToken.None);

        var swapped = await store.PutAsync(ResourceKind.Route, "1", Route.Replace("/a", "/b"), first.ModifiedIndex, CancellationToken.None);
        var stale = await Assert.ThrowsAsync<StoreConflictException>(() =>
            store.PutAsync(ResourceKind.Route, "1", Route.Replace("/a", "/c"), first.ModifiedIndex, CancellationToken.None));
        await store.DeleteAsync(ResourceKind.Route, "1", CancellationToken.None);
        await Assert.ThrowsAsync<StoreConflictException>(() =>
            store.PutAsync(ResourceKind.Route, "1", Route.Replace("/a", "/d"), swapped.ModifiedIndex, CancellationToken.None));

        Assert.False(swapped.Created);
        Assert.Equal(first.CreatedIndex, swapped.CreatedIndex);
        Assert.True(swapped.ModifiedIndex > first.ModifiedIndex);
        Assert.Contains($"found {swapped.ModifiedIndex}", stale.Message, StringComparison.Ordinal);
        // Neither lost race wrote anything.
        Assert.Null(await store.GetAsync(ResourceKind.Route, "1", CancellationToken.None));
    }

    [Fact]
    public async Task NextId_Repeated_StrictlyIncreasingRevisionsOfGenId()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var client = etcd.CreateClient();

        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await store.NextIdAsync(CancellationToken.None));
            await store.PutAsync(ResourceKind.Route, $"r{i}", Route, null, CancellationToken.None);
        }

        Assert.All(ids.Zip(ids.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.Second} after {pair.First}"));
        var genId = Assert.Single((await client.GetAsync("/apisix/gen_id")).Kvs);
        Assert.Equal(ids[^1], genId.ModRevision);
        // gen_id is not a resource.
        Assert.Equal(5, (await store.LoadAllAsync(CancellationToken.None)).Items.Count);
    }

    [Fact]
    public async Task LoadAll_CustomPrefix_OnlyKeysUnderIt()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs, prefix: "/gw-a");
        using var client = etcd.CreateClient();
        await client.PutAsync("/apisix/routes/other", Route);
        await client.PutAsync("/gw-ab/routes/other", Route);

        await store.PutAsync(ResourceKind.Route, "1", Route, null, CancellationToken.None);

        Assert.Equal("1", Assert.Single((await store.LoadAllAsync(CancellationToken.None)).Items).Id);
        Assert.Single((await client.GetAsync("/gw-a/routes/1")).Kvs);
    }

    [Fact]
    public async Task LoadAll_KeyWrittenStraightIntoEtcd_LoadedWithItsRevisions()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = etcd.CreateClient();
        // As APISIX's Admin API stores a route: the value object with id and times, under /apisix/routes/<id>.
        const string apisixValue = """{"id":"ext-1","uri":"/ext","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:1980":1}},"create_time":1700000000,"update_time":1700000000}""";
        var put = await client.PutAsync(new Etcdserverpb.PutRequest { Key = ByteString.CopyFromUtf8("/apisix/routes/ext-1"), Value = ByteString.CopyFromUtf8(apisixValue) });
        var logs = new CapturedLogs();
        await using var store = EtcdTestStores.Create(EtcdTestStores.Config(etcd), logs);
        await store.InitializeAsync(CancellationToken.None);

        var contents = await store.LoadAllAsync(CancellationToken.None);

        var item = Assert.Single(contents.Items);
        Assert.Equal(new StoredResource(ResourceKind.Route, "ext-1", apisixValue, put.Header.Revision, put.Header.Revision), item);
        Assert.Equal("/ext", JsonNode.Parse(item.Json)!["uri"]!.GetValue<string>());
    }
}

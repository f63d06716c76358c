using Google.Protobuf;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>The etcd store's view of writes it did not make: bad keys, the watch, outages, compaction.</summary>
public sealed class EtcdStoreWatchTests
{
    private const string Route = """{"id":"1","uri":"/a","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:1980":1}}}""";

    [Fact]
    public async Task LoadAll_PlaceholderUnparseableAndForeignKeys_SkippedWithOneErrorLineEach()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = etcd.CreateClient();
        await client.PutAsync("/apisix/routes/", "init_dir");
        await client.PutAsync("/apisix/routes/bad", "{not json");
        await client.PutAsync("/apisix/routes/array", "[1,2]");
        await client.PutAsync("/apisix/routes/trailing", """{"id":"trailing"} x""");
        await client.PutAsync("/apisix/upstreams/", "init_dir");
        await client.PutAsync("/apisix/plugins", """[{"name":"proxy-mirror"}]""");
        await client.PutAsync("/apisix/ssls/1", """{"id":"1"}""");
        await client.PutAsync("/apisix/gen_id", "1");
        await client.PutAsync("/apisix/routes/good", Route.Replace("\"1\"", "\"good\""));
        var logs = new CapturedLogs();
        await using var store = EtcdTestStores.Create(EtcdTestStores.Config(etcd), logs);
        await store.InitializeAsync(CancellationToken.None);

        var first = await store.LoadAllAsync(CancellationToken.None);
        var second = await store.LoadAllAsync(CancellationToken.None);
        var listed = await store.ListAsync(ResourceKind.Route, CancellationToken.None);

        Assert.Equal("good", Assert.Single(first.Items).Id);
        Assert.Equal("good", Assert.Single(second.Items).Id);
        Assert.Equal("good", Assert.Single(listed).Id);
        var errors = logs.Lines.Where(l => l.Level == LogLevel.Error).Select(l => l.Message).ToList();
        foreach (var key in new[] { "/apisix/routes/ ", "/apisix/routes/bad ", "/apisix/routes/array ", "/apisix/routes/trailing ", "/apisix/upstreams/ " })
        {
            // Once, although the prefix was read three times.
            Assert.Single(errors, e => e.Contains($"etcd key {key}", StringComparison.Ordinal));
        }

        Assert.Contains(errors, e => e.Contains("/apisix/routes/ ", StringComparison.Ordinal) && e.Contains("init_dir", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/apisix/routes/array ", StringComparison.Ordinal) && e.Contains("not a JSON object", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    [Fact]
    public async Task LoadAll_BadKeyRewritten_ReportedAgainForItsNewRevision()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = etcd.CreateClient();
        await client.PutAsync("/apisix/routes/bad", "nope");
        var logs = new CapturedLogs();
        await using var store = EtcdTestStores.Create(EtcdTestStores.Config(etcd), logs);
        await store.InitializeAsync(CancellationToken.None);
        await store.LoadAllAsync(CancellationToken.None);

        await client.PutAsync("/apisix/routes/bad", "still nope");
        await store.LoadAllAsync(CancellationToken.None);

        Assert.Equal(2, logs.Count("etcd key /apisix/routes/bad "));
    }

    [Fact]
    public async Task Changed_ExternalWriteAndDelete_RaisedByTheWatch()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = etcd.CreateClient();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var changes = new ChangeCounter(store);

        await client.PutAsync("/apisix/routes/ext", Route);
        await changes.WaitForMoreThanAsync(0);
        var afterPut = changes.Count;
        await client.DeleteAsync("/apisix/routes/ext");
        await changes.WaitForMoreThanAsync(afterPut);

        Assert.Empty((await store.LoadAllAsync(CancellationToken.None)).Items);
    }

    [Fact]
    public async Task Changed_KeysOfOtherKinds_NotRaised()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = etcd.CreateClient();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var changes = new ChangeCounter(store);

        // Neither gen_id bumps nor other kinds change what the gateway serves; the route write after them
        // is the signal that the watch has delivered everything before it.
        await store.NextIdAsync(CancellationToken.None);
        await client.PutAsync("/apisix/ssls/1", """{"id":"1"}""");
        await client.PutAsync("/apisix/routes/ext", Route);
        await changes.WaitForMoreThanAsync(0);

        Assert.Equal(1, changes.Count);
    }

    [Fact]
    public async Task Watch_EtcdStoppedAndStarted_WritesFailWhileDownAndWatchResumes()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var changes = new ChangeCounter(store);
        await store.PutAsync(ResourceKind.Route, "1", Route, null, CancellationToken.None);

        await etcd.StopAsync();
        await logs.WaitForAsync("Lost the watch on etcd", TimeSpan.FromSeconds(30));
        var put = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.PutAsync(ResourceKind.Route, "2", Route, null, CancellationToken.None));
        var get = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync(ResourceKind.Route, "1", CancellationToken.None));
        var load = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.LoadAllAsync(CancellationToken.None));

        await etcd.RestartAsync();
        await logs.WaitForAsync("resumed at revision", TimeSpan.FromSeconds(30));
        var afterResync = changes.Count;
        using var client = etcd.CreateClient();
        await client.PutAsync("/apisix/routes/3", Route);
        await changes.WaitForMoreThanAsync(afterResync);

        Assert.Contains(etcd.ClientUrl, put.Message, StringComparison.Ordinal);
        Assert.Contains("put routes/2", put.Message, StringComparison.Ordinal);
        Assert.Contains(etcd.ClientUrl, get.Message, StringComparison.Ordinal);
        Assert.Contains(etcd.ClientUrl, load.Message, StringComparison.Ordinal);
        // One line per state change, however many reconnection attempts there were.
        Assert.Equal(1, logs.Count("Lost the watch on etcd"));
        Assert.Equal(1, logs.Count("resumed at revision"));
        Assert.Equal(["1", "3"], (await store.LoadAllAsync(CancellationToken.None)).Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Watch_StartRevisionCompacted_ResyncsInFullAndKeepsWatching()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = etcd.CreateClient();
        var logs = new CapturedLogs();
        await using var store = EtcdTestStores.Create(EtcdTestStores.Config(etcd), logs);
        await store.InitializeAsync(CancellationToken.None);
        var before = await client.PutAsync("/apisix/routes/1", Route);
        var latest = await client.PutAsync("/apisix/routes/2", Route);
        await client.CompactAsync(new Etcdserverpb.CompactionRequest { Revision = latest.Header.Revision, Physical = true });
        using var changes = new ChangeCounter(store);

        // A watch starting where a compaction already passed (as after a full read that raced one).
        store.StartWatching(before.Header.Revision);
        await logs.WaitForAsync("fell behind a compaction", TimeSpan.FromSeconds(30));
        await changes.WaitForMoreThanAsync(0);
        var afterResync = changes.Count;
        await client.PutAsync("/apisix/routes/3", Route);
        await changes.WaitForMoreThanAsync(afterResync);

        Assert.Equal(0, logs.Count("Lost the watch on etcd"));
        Assert.Equal(["1", "2", "3"], (await store.LoadAllAsync(CancellationToken.None)).Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Watch_CompactionWhileWatching_WatchUnaffectedAndWritesStillSeen()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var client = etcd.CreateClient();
        var logs = new CapturedLogs();
        await using var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var changes = new ChangeCounter(store);

        await client.PutAsync("/apisix/routes/1", Route);
        await changes.WaitForMoreThanAsync(0);
        var written = await client.PutAsync("/apisix/routes/2", Route);
        await client.CompactAsync(new Etcdserverpb.CompactionRequest { Revision = written.Header.Revision, Physical = true });
        var seen = changes.Count;
        await client.PutAsync("/apisix/routes/3", Route);
        await changes.WaitForMoreThanAsync(seen);

        Assert.Equal(["1", "2", "3"], (await store.LoadAllAsync(CancellationToken.None)).Items.Select(i => i.Id));
    }

    [Fact]
    public async Task Dispose_WhileWatching_StopsTheWatchCleanly()
    {
        await using var etcd = await EtcdServer.StartAsync();
        var logs = new CapturedLogs();
        var store = await EtcdTestStores.OpenAsync(etcd, logs);
        using var changes = new ChangeCounter(store);

        var dispose = store.DisposeAsync().AsTask();
        var finished = await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(10)));
        using var client = etcd.CreateClient();
        await client.PutAsync("/apisix/routes/after", Route);

        Assert.Same(dispose, finished);
        await dispose;
        Assert.Equal(0, logs.Count("Lost the watch on etcd"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.GetAsync(ResourceKind.Route, "after", CancellationToken.None));
    }
}

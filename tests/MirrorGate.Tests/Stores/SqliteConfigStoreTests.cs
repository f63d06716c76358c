using Microsoft.Data.Sqlite;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.Tests.Stores;

public sealed class SqliteConfigStoreTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mirrorgate-store-" + Guid.NewGuid().ToString("N"));
    private string DatabasePath => Path.Combine(_directory, "nested", "mirrorgate.db");
    private SqliteConfigStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteConfigStore(DatabasePath);
        await _store.InitializeAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static CancellationToken None => CancellationToken.None;

    [Fact]
    public void NameAndLocation_AfterConstruction_AreSqliteAndFullPath()
    {
        Assert.Equal("sqlite", _store.Name);
        Assert.Equal(Path.GetFullPath(DatabasePath), _store.Location);
        Assert.True(File.Exists(DatabasePath));
    }

    [Fact]
    public async Task Constructor_RelativePath_ResolvesAgainstWorkingDirectory()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_directory, "rel", "x.db"));
        await using var store = new SqliteConfigStore(relative);
        Assert.Equal(Path.Combine(_directory, "rel", "x.db"), store.Location);
    }

    [Fact]
    public async Task Initialize_NewFile_UsesWalJournal()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Credential_PutThenReadBack_ByGetListAndLoadAll_KeptApartFromConsumers()
    {
        await _store.PutAsync(ResourceKind.Consumer, "jack", """{"username":"jack"}""", null, None);
        var written = await _store.PutAsync(ResourceKind.Credential, "jack/cred-1", """{"id":"cred-1","plugins":{"key-auth":{"key":"k"}}}""", null, None);

        var expected = new StoredResource(ResourceKind.Credential, "jack/cred-1", """{"id":"cred-1","plugins":{"key-auth":{"key":"k"}}}""", written.CreatedIndex, written.ModifiedIndex);
        Assert.Equal(expected, await _store.GetAsync(ResourceKind.Credential, "jack/cred-1", None));
        Assert.Equal(expected, Assert.Single(await _store.ListAsync(ResourceKind.Credential, None)));
        Assert.Equal("jack", Assert.Single(await _store.ListAsync(ResourceKind.Consumer, None)).Id);
        Assert.Contains(expected, (await _store.LoadAllAsync(None)).Items);
        Assert.NotNull(await _store.DeleteAsync(ResourceKind.Credential, "jack/cred-1", None));
        Assert.Null(await _store.GetAsync(ResourceKind.Credential, "jack/cred-1", None));
    }

    [Fact]
    public async Task Put_NewItem_IsCreatedAndReadBack()
    {
        var result = await _store.PutAsync(ResourceKind.Route, "1", """{"id":"1","uri":"/a"}""", null, None);

        Assert.True(result.Created);
        Assert.Equal(result.CreatedIndex, result.ModifiedIndex);
        var stored = await _store.GetAsync(ResourceKind.Route, "1", None);
        Assert.Equal(new StoredResource(ResourceKind.Route, "1", """{"id":"1","uri":"/a"}""", result.CreatedIndex, result.ModifiedIndex), stored);
    }

    [Fact]
    public async Task Put_ExistingItem_IsReplacedAndKeepsCreatedIndex()
    {
        var first = await _store.PutAsync(ResourceKind.Route, "1", "{\"v\":1}", null, None);
        var second = await _store.PutAsync(ResourceKind.Route, "1", "{\"v\":2}", null, None);

        Assert.False(second.Created);
        Assert.Equal(first.CreatedIndex, second.CreatedIndex);
        Assert.True(second.ModifiedIndex > first.ModifiedIndex);
        var stored = await _store.GetAsync(ResourceKind.Route, "1", None);
        Assert.Equal("{\"v\":2}", stored!.Json);
        Assert.Equal(second.ModifiedIndex, stored.ModifiedIndex);
    }

    [Fact]
    public async Task Get_SameIdOtherKind_IsSeparate()
    {
        await _store.PutAsync(ResourceKind.Route, "1", "{\"r\":1}", null, None);

        Assert.Null(await _store.GetAsync(ResourceKind.Upstream, "1", None));
        Assert.Null(await _store.GetAsync(ResourceKind.Route, "2", None));
    }

    [Fact]
    public async Task Delete_Existing_RemovesAndReturnsTrue()
    {
        await _store.PutAsync(ResourceKind.Upstream, "u", "{}", null, None);

        Assert.NotNull(await _store.DeleteAsync(ResourceKind.Upstream, "u", None));
        Assert.Null(await _store.GetAsync(ResourceKind.Upstream, "u", None));
        Assert.Null(await _store.DeleteAsync(ResourceKind.Upstream, "u", None));
    }

    [Fact]
    public async Task Delete_Missing_DoesNotMoveRevision()
    {
        await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None);
        var before = (await _store.LoadAllAsync(None)).Revision;

        Assert.Null(await _store.DeleteAsync(ResourceKind.Route, "nope", None));

        Assert.Equal(before, (await _store.LoadAllAsync(None)).Revision);
    }

    [Fact]
    public async Task Revisions_AcrossPutsDeletesAndNextId_StrictlyIncrease()
    {
        var seen = new List<long>
        {
            (await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None)).ModifiedIndex,
            await _store.NextIdAsync(None),
            (await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None)).ModifiedIndex,
            (await _store.PutAsync(ResourceKind.Service, "s", "{}", null, None)).ModifiedIndex,
        };
        await _store.DeleteAsync(ResourceKind.Route, "1", None);
        seen.Add((await _store.LoadAllAsync(None)).Revision);
        seen.Add(await _store.NextIdAsync(None));
        seen.Add((await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None)).CreatedIndex);

        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), seen);
    }

    [Fact]
    public async Task Put_Concurrent_AllGetDistinctRevisions()
    {
        var writes = Enumerable.Range(0, 50)
            .Select(i => _store.PutAsync(ResourceKind.Route, i.ToString(), "{}", null, None));

        var results = await Task.WhenAll(writes);

        Assert.Equal(50, results.Select(r => r.ModifiedIndex).Distinct().Count());
        Assert.Equal(50, (await _store.LoadAllAsync(None)).Revision);
    }

    [Fact]
    public async Task Put_ExpectedIndexMatches_Writes()
    {
        var first = await _store.PutAsync(ResourceKind.Route, "1", "{\"v\":1}", null, None);

        var second = await _store.PutAsync(ResourceKind.Route, "1", "{\"v\":2}", first.ModifiedIndex, None);

        Assert.False(second.Created);
        Assert.Equal("{\"v\":2}", (await _store.GetAsync(ResourceKind.Route, "1", None))!.Json);
    }

    [Fact]
    public async Task Put_ExpectedIndexStale_ThrowsConflictAndChangesNothing()
    {
        var first = await _store.PutAsync(ResourceKind.Route, "1", "{\"v\":1}", null, None);
        var second = await _store.PutAsync(ResourceKind.Route, "1", "{\"v\":2}", null, None);

        await Assert.ThrowsAsync<StoreConflictException>(() => _store.PutAsync(ResourceKind.Route, "1", "{\"v\":3}", first.ModifiedIndex, None));

        var stored = await _store.GetAsync(ResourceKind.Route, "1", None);
        Assert.Equal("{\"v\":2}", stored!.Json);
        Assert.Equal(second.ModifiedIndex, (await _store.LoadAllAsync(None)).Revision);
    }

    [Fact]
    public async Task Put_ExpectedIndexButItemGone_ThrowsConflict()
    {
        var first = await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None);
        await _store.DeleteAsync(ResourceKind.Route, "1", None);

        await Assert.ThrowsAsync<StoreConflictException>(() => _store.PutAsync(ResourceKind.Route, "1", "{}", first.ModifiedIndex, None));
        Assert.Null(await _store.GetAsync(ResourceKind.Route, "1", None));
    }

    [Fact]
    public async Task List_ManyIds_OrderedAsStrings()
    {
        foreach (var id in new[] { "2", "10", "1", "b", "A", "00000000000000000100" })
        {
            await _store.PutAsync(ResourceKind.Route, id, "{}", null, None);
        }
        await _store.PutAsync(ResourceKind.Upstream, "0", "{}", null, None);

        var ids = (await _store.ListAsync(ResourceKind.Route, None)).Select(r => r.Id);

        Assert.Equal(["00000000000000000100", "1", "10", "2", "A", "b"], ids);
    }

    [Fact]
    public async Task LoadAll_MixedKinds_ReturnsEverythingAndCurrentRevision()
    {
        await _store.PutAsync(ResourceKind.Route, "r", "{}", null, None);
        await _store.PutAsync(ResourceKind.Upstream, "u", "{}", null, None);
        var last = await _store.PutAsync(ResourceKind.Service, "s", "{}", null, None);

        var contents = await _store.LoadAllAsync(None);

        Assert.Equal(last.ModifiedIndex, contents.Revision);
        Assert.Equal(3, contents.Items.Count);
        Assert.Contains(contents.Items, i => i.Kind == ResourceKind.Service && i.Id == "s");
    }

    [Fact]
    public async Task Reopen_AfterWrites_KeepsItemsAndRevision()
    {
        var put = await _store.PutAsync(ResourceKind.Route, "1", """{"uri":"/ü"}""", null, None);
        var id = await _store.NextIdAsync(None);
        await _store.DisposeAsync();

        _store = new SqliteConfigStore(DatabasePath);
        await _store.InitializeAsync(None);

        var stored = await _store.GetAsync(ResourceKind.Route, "1", None);
        Assert.Equal("""{"uri":"/ü"}""", stored!.Json);
        Assert.Equal(put.ModifiedIndex, stored.ModifiedIndex);
        Assert.Equal(id + 1, await _store.NextIdAsync(None));
    }

    [Fact]
    public async Task Changed_AfterPutAndDelete_IsRaised()
    {
        var count = 0;
        _store.Changed += () => Interlocked.Increment(ref count);

        await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None);
        Assert.Equal(1, count);
        await _store.DeleteAsync(ResourceKind.Route, "1", None);
        Assert.Equal(2, count);
        await _store.DeleteAsync(ResourceKind.Route, "1", None);
        await _store.NextIdAsync(None);
        Assert.Equal(2, count);
    }

    [Fact]
    public async Task Changed_HandlerSeesCommittedWrite()
    {
        StoredResource? seen = null;
        _store.Changed += () => seen = _store.GetAsync(ResourceKind.Route, "1", None).GetAwaiter().GetResult();

        await _store.PutAsync(ResourceKind.Route, "1", "{\"v\":1}", null, None);

        Assert.Equal("{\"v\":1}", seen?.Json);
    }

    [Fact]
    public async Task Changed_HandlerThrows_WriteStillSucceeds()
    {
        var second = false;
        _store.Changed += () => throw new InvalidOperationException("bad listener");
        _store.Changed += () => second = true;

        var result = await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None);

        Assert.True(result.Created);
        Assert.True(second);
    }

    [Fact]
    public async Task Changed_FailedCas_IsNotRaised()
    {
        await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None);
        var count = 0;
        _store.Changed += () => count++;

        await Assert.ThrowsAsync<StoreConflictException>(() => _store.PutAsync(ResourceKind.Route, "1", "{}", 999, None));

        Assert.Equal(0, count);
    }

    [Fact]
    public async Task Initialize_PathIsADirectory_ThrowsStoreUnavailableNamingPath()
    {
        var directory = Path.Combine(_directory, "is-a-dir");
        Directory.CreateDirectory(directory);
        await using var store = new SqliteConfigStore(directory);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(None));

        Assert.Contains(directory, ex.Message);
        Assert.IsType<SqliteException>(ex.InnerException);
    }

    [Fact]
    public async Task Read_CorruptFile_ThrowsStoreUnavailable()
    {
        var path = Path.Combine(_directory, "corrupt.db");
        await File.WriteAllTextAsync(path, new string('x', 8192));
        await using var store = new SqliteConfigStore(path);

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.InitializeAsync(None));
    }

    [Theory]
    [InlineData(ResourceKind.PluginConfig, "plugin_configs")]
    [InlineData(ResourceKind.GlobalRule, "global_rules")]
    public async Task PutGetListDelete_PluginObjects_RoundTripUnderApisixKind(ResourceKind kind, string storedKind)
    {
        const string Json = """{"id":"1","plugins":{"request-id":{}}}""";
        var written = await _store.PutAsync(kind, "1", Json, null, None);
        await _store.PutAsync(ResourceKind.Route, "1", "{}", null, None);

        Assert.Equal(new StoredResource(kind, "1", Json, written.CreatedIndex, written.ModifiedIndex), await _store.GetAsync(kind, "1", None));
        Assert.Equal("1", Assert.Single(await _store.ListAsync(kind, None)).Id);
        Assert.Contains(new StoredResource(kind, "1", Json, written.CreatedIndex, written.ModifiedIndex), (await _store.LoadAllAsync(None)).Items);

        // The row carries APISIX's directory name, as the etcd key does.
        await using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM resources WHERE kind = $kind AND id = '1'";
            command.Parameters.AddWithValue("$kind", storedKind);
            Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
        }

        Assert.NotNull(await _store.DeleteAsync(kind, "1", None));
        Assert.Null(await _store.GetAsync(kind, "1", None));
        Assert.NotNull(await _store.GetAsync(ResourceKind.Route, "1", None));
    }

    [Fact]
    public async Task Put_AfterDispose_ThrowsObjectDisposed()
    {
        await _store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _store.PutAsync(ResourceKind.Route, "1", "{}", null, None));

        _store = new SqliteConfigStore(DatabasePath);
    }

    [Fact]
    public async Task Consumer_PutGetListLoadDelete_RoundTripsUnderItsUsername()
    {
        const string json = """{"username":"jack","plugins":{"key-auth":{"key":"4y+JvURBE6ZwRbbgaryrhg=="}},"create_time":1,"update_time":1}""";
        var written = await _store.PutAsync(ResourceKind.Consumer, "jack", json, null, None);

        Assert.True(written.Created);
        Assert.Equal(json, (await _store.GetAsync(ResourceKind.Consumer, "jack", None))!.Json);
        Assert.Equal("jack", Assert.Single(await _store.ListAsync(ResourceKind.Consumer, None)).Id);
        Assert.Contains((await _store.LoadAllAsync(None)).Items, i => i.Kind == ResourceKind.Consumer && i.Id == "jack" && i.Json == json);
        Assert.Empty(await _store.ListAsync(ResourceKind.Route, None));
        Assert.NotNull(await _store.DeleteAsync(ResourceKind.Consumer, "jack", None));
        Assert.Null(await _store.GetAsync(ResourceKind.Consumer, "jack", None));
    }
}

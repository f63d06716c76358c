using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Process;
using MirrorGate.FunctionalTests.Proxy;

namespace MirrorGate.FunctionalTests.Cluster;

/// <summary>
/// The export/import command as a user runs it (the real executable): moving a node's embedded
/// store into etcd, and refusing a document with any invalid item.
/// </summary>
public sealed class ExportImportTests
{
    [Fact]
    public async Task ExportFromSqlite_ImportIntoEtcd_NodeOnEtcdServesEverything()
    {
        await using var upstream = await ProxyKit.NamedAsync("moved");
        await using var mirror = await RecordingServer.StartAsync();
        using var sqliteDirectory = new NodeDirectory();
        sqliteDirectory.WriteConfig();
        var file = Path.Combine(sqliteDirectory.Path, "all.json");
        string postedId;
        using (var source = await sqliteDirectory.StartAsync())
        {
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/upstreams/u1", ProxyKit.To(upstream));
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/services/s1", """{"upstream_id":"u1"}""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/routes/by-service", """{"uri":"/svc","service_id":"s1"}""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/routes/mirrored", $$"""{"uri":"/mirrored","upstream_id":"u1","plugins":{"proxy-mirror":{"host":"http://{{mirror.Address}}"} } }""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/plugin_configs/pc1", $$"""{"desc":"mirror all","plugins":{"proxy-mirror":{"host":"http://{{mirror.Address}}"} } }""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/routes/by-config", """{"uri":"/by-config","upstream_id":"u1","plugin_config_id":"pc1"}""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/global_rules/g1", """{"plugins":{"request-id":{"header_name":"X-Moved-Id"} } }""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/consumers", """{"username":"jack","plugins":{"key-auth":{"key":"auth-jack"}}}""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/consumers/jack/credentials/cred-1", """{"plugins":{"key-auth":{"key":"auth-jack-credential"}}}""");
            await PutAsync(sqliteDirectory.AdminPort, "/apisix/admin/routes/keyed", """{"uri":"/keyed","upstream_id":"u1","plugins":{"key-auth":{}}}""");
            var (status, body) = await ClusterKit.AdminAsync(sqliteDirectory.AdminPort, HttpMethod.Post, "/apisix/admin/routes", """{"uri":"/posted","upstream_id":"u1"}""");
            Assert.Equal(201, status);
            postedId = JsonNode.Parse(body)!["value"]!["id"]!.GetValue<string>();

            // Exported while the node runs, as a user would before switching it over.
            using var export = GatewayProcess.Start(sqliteDirectory.Path, "export", "-c", sqliteDirectory.ConfigPath, "--out", file);
            Assert.True(await export.WaitForExitAsync() == 0, export.Output);
            Assert.Contains("exported 5 routes, 1 upstreams, 1 services, 1 plugin_configs, 1 global_rules, 1 consumers (and 1 credentials) from sqlite", export.Output, StringComparison.Ordinal);
        }

        var document = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        Assert.Equal(["routes", "upstreams", "services", "plugin_configs", "global_rules", "consumers"], document.Select(p => p.Key));
        Assert.Equal("pc1", document["plugin_configs"]![0]!["id"]!.GetValue<string>());
        Assert.Equal("g1", document["global_rules"]![0]!["id"]!.GetValue<string>());
        // A consumer is named by its username and carries its key as stored: encrypted.
        var consumer = document["consumers"]![0]!.AsObject();
        Assert.Equal("jack", consumer["username"]!.GetValue<string>());
        Assert.False(consumer.ContainsKey("id"));
        Assert.NotEqual("auth-jack", consumer["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        // Its credential is an item of the same list, as in APISIX's standalone files.
        var credential = document["consumers"]![1]!.AsObject();
        Assert.Equal("jack/credentials/cred-1", credential["id"]!.GetValue<string>());
        Assert.NotEqual("auth-jack-credential", credential["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        Assert.Equal(new[] { "by-config", "by-service", "keyed", "mirrored", postedId }.Order(StringComparer.Ordinal), document["routes"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Equal("u1", document["upstreams"]![0]!["id"]!.GetValue<string>());
        var exportedCreateTime = document["routes"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "mirrored")!["create_time"]!.GetValue<long>();

        await using var etcd = await EtcdServer.StartAsync();
        using var etcdDirectory = ClusterKit.EtcdDirectory(etcd);
        etcdDirectory.WriteConfig();
        using (var dryRun = GatewayProcess.Start(etcdDirectory.Path, "import", "-c", etcdDirectory.ConfigPath, "--in", file, "--dry-run"))
        {
            Assert.True(await dryRun.WaitForExitAsync() == 0, dryRun.Output);
            Assert.Contains("dry run: 5 routes, 1 upstreams, 1 services, 1 plugin_configs, 1 global_rules, 1 consumers (and 1 credentials) valid; nothing written to etcd", dryRun.Output, StringComparison.Ordinal);
        }

        using (var client = etcd.CreateClient())
        {
            Assert.Empty((await client.GetRangeAsync("/apisix/")).Kvs);
        }

        using (var import = GatewayProcess.Start(etcdDirectory.Path, "import", "-c", etcdDirectory.ConfigPath, "--in", file))
        {
            Assert.True(await import.WaitForExitAsync() == 0, import.Output);
            Assert.Contains("imported 5 routes, 1 upstreams, 1 services, 1 plugin_configs, 1 global_rules, 1 consumers (and 1 credentials) into etcd", import.Output, StringComparison.Ordinal);
        }

        using var node = await etcdDirectory.StartFreshAsync();
        Assert.Equal((200, "moved"), await ClusterKit.GetAsync(etcdDirectory.ProxyUrl, "/svc"));
        Assert.Equal((200, "moved"), await ClusterKit.GetAsync(etcdDirectory.ProxyUrl, "/posted"));
        Assert.Equal((200, "moved"), await ClusterKit.GetAsync(etcdDirectory.ProxyUrl, "/mirrored"));
        Assert.Equal(401, (await ClusterKit.GetAsync(etcdDirectory.ProxyUrl, "/keyed")).Item1);
        using (var keyed = new HttpRequestMessage(HttpMethod.Get, etcdDirectory.ProxyUrl + "/keyed"))
        using (var keyClient = new HttpClient())
        {
            keyed.Headers.Add("apikey", "auth-jack");
            using var answer = await keyClient.SendAsync(keyed);
            Assert.Equal(200, (int)answer.StatusCode);
        }

        using (var byCredential = new HttpRequestMessage(HttpMethod.Get, etcdDirectory.ProxyUrl + "/keyed"))
        using (var keyClient = new HttpClient())
        {
            byCredential.Headers.Add("apikey", "auth-jack-credential");
            using var answer = await keyClient.SendAsync(byCredential);
            Assert.Equal(200, (int)answer.StatusCode);
        }

        using (var client = etcd.CreateClient())
        {
            Assert.Single((await client.GetAsync("/apisix/consumers/jack/credentials/cred-1")).Kvs);
        }

        Assert.Equal("/mirrored", (await mirror.NextAsync(TimeSpan.FromSeconds(15))).RawTarget);

        // The plugin config came along and still applies to the route that names it; so does the global rule.
        using var http = new HttpClient();
        using (var viaConfig = await http.GetAsync(etcdDirectory.ProxyUrl + "/by-config"))
        {
            Assert.Equal("moved", await viaConfig.Content.ReadAsStringAsync());
            Assert.True(viaConfig.Headers.Contains("X-Moved-Id"));
        }

        Assert.Equal("/by-config", (await mirror.NextAsync(TimeSpan.FromSeconds(15))).RawTarget);

        // The stored value moved as it was: same id, same times; the indexes are etcd's now.
        var (getStatus, getBody) = await ClusterKit.AdminAsync(etcdDirectory.AdminPort, HttpMethod.Get, "/apisix/admin/routes/mirrored");
        Assert.Equal(200, getStatus);
        var item = JsonNode.Parse(getBody)!;
        Assert.Equal(exportedCreateTime, item["value"]!["create_time"]!.GetValue<long>());
        using (var client = etcd.CreateClient())
        {
            var kv = Assert.Single((await client.GetAsync("/apisix/routes/mirrored")).Kvs);
            Assert.Equal(kv.CreateRevision, item["createdIndex"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task Import_OneItemInvalid_WritesNothingAndNamesTheItem()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var directory = ClusterKit.EtcdDirectory(etcd);
        directory.WriteConfig();
        var file = Path.Combine(directory.Path, "bad.json");
        await File.WriteAllTextAsync(file, """
            {
              "upstreams": [{"id": "u1", "type": "roundrobin", "nodes": {"127.0.0.1:1980": 1}}],
              "routes": [
                {"id": "good", "uri": "/good", "upstream_id": "u1"},
                {"id": "bad-mirror", "uri": "/bad", "upstream_id": "u1", "plugins": {"proxy-mirror": {"host": "127.0.0.1:1986"}}},
                {"id": "dangling", "uri": "/dangling", "upstream_id": "gone"}
              ]
            }
            """);

        foreach (var dryRun in new[] { true, false })
        {
            using var import = dryRun
                ? GatewayProcess.Start(directory.Path, "import", "-c", directory.ConfigPath, "--in", file, "--dry-run")
                : GatewayProcess.Start(directory.Path, "import", "-c", directory.ConfigPath, "--in", file);
            Assert.Equal(1, await import.WaitForExitAsync());

            // APISIX's own error texts, each naming the item.
            Assert.Contains("routes[1] (id bad-mirror): failed to check the configuration of plugin proxy-mirror err: property \"host\" validation failed: failed to match pattern", import.Output, StringComparison.Ordinal);
            Assert.Contains("routes[2] (id dangling): failed to fetch upstream info by upstream id [gone], response code: 404", import.Output, StringComparison.Ordinal);
            Assert.Contains("nothing imported: 2 invalid item(s)", import.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("(id good)", import.Output, StringComparison.Ordinal);
        }

        using var client = etcd.CreateClient();
        Assert.Empty((await client.GetRangeAsync("/apisix/")).Kvs);
    }

    [Fact]
    public async Task ExportFromEtcd_ImportIntoSqlite_RoundTripsTheValues()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using (var client = etcd.CreateClient())
        {
            // Written by another writer, APISIX style: no times; the export carries what is stored.
            await client.PutAsync("/apisix/upstreams/7", """{"id":"7","type":"chash","key":"remote_addr","nodes":{"127.0.0.1:1980":1}}""");
            await client.PutAsync("/apisix/routes/r", """{"id":"r","uris":["/a","/b"],"methods":["GET"],"upstream_id":"7","priority":3}""");
        }

        using var etcdDirectory = ClusterKit.EtcdDirectory(etcd);
        etcdDirectory.WriteConfig();
        var file = Path.Combine(etcdDirectory.Path, "all.json");
        using (var export = GatewayProcess.Start(etcdDirectory.Path, "export", "-c", etcdDirectory.ConfigPath, "--out", file))
        {
            Assert.True(await export.WaitForExitAsync() == 0, export.Output);
        }

        var exported = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"r","uris":["/a","/b"],"methods":["GET"],"upstream_id":"7","priority":3}"""), exported["routes"]![0]));

        using var sqliteDirectory = new NodeDirectory();
        sqliteDirectory.WriteConfig();
        using (var import = GatewayProcess.Start(sqliteDirectory.Path, "import", "-c", sqliteDirectory.ConfigPath, "--in", file))
        {
            Assert.True(await import.WaitForExitAsync() == 0, import.Output);
            Assert.Contains("imported 1 routes, 1 upstreams, 0 services, 0 plugin_configs, 0 global_rules, 0 consumers into sqlite", import.Output, StringComparison.Ordinal);
        }

        using var node = await sqliteDirectory.StartAsync();
        var (status, body) = await ClusterKit.AdminAsync(sqliteDirectory.AdminPort, HttpMethod.Get, "/apisix/admin/routes/r");
        Assert.Equal(200, status);
        var value = JsonNode.Parse(body)!["value"]!.AsObject();

        // A hand-written item gets its times on import, as the Admin API would have set them.
        Assert.True(value["create_time"]!.GetValue<long>() > 0);
        value.Remove("create_time");
        value.Remove("update_time");
        Assert.True(JsonNode.DeepEquals(exported["routes"]![0], value), value.ToJsonString());
    }

    private static async Task PutAsync(int adminPort, string path, string json)
    {
        var (status, body) = await ClusterKit.AdminAsync(adminPort, HttpMethod.Put, path, json);
        Assert.True(status is 200 or 201, $"PUT {path} answered {status}: {body}");
    }
}

using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Proxy;

namespace MirrorGate.FunctionalTests.Process;

/// <summary>The real executable as an operator runs it: command line, start-up log, signals, crashes and its data file.</summary>
public sealed class ProcessTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Kill9_RightAfterAdminAnswered_NothingLostAfterRestart()
    {
        await using var upstream = await ProxyKit.NamedAsync("kept");
        using var directory = new NodeDirectory();
        directory.WriteConfig();
        using (var first = await directory.StartAsync())
        {
            Assert.Equal(201, (await AdminAsync(directory.AdminPort, HttpMethod.Put, "/apisix/admin/upstreams/u1", ProxyKit.To(upstream))).Status);
            Assert.Equal(201, (await AdminAsync(directory.AdminPort, HttpMethod.Put, "/apisix/admin/routes/1", """{"uri":"/kept","upstream_id":"u1"}""")).Status);
            var (status, _) = await AdminAsync(directory.AdminPort, HttpMethod.Put, "/apisix/admin/routes/2", """{"uri":"/last","upstream_id":"u1"}""");

            // SIGKILL the moment the last write was acknowledged: no flush, no shutdown hook.
            first.KillHard();
            Assert.Equal(201, status);
            await first.WaitForExitAsync();
        }

        directory.WriteConfig();
        using var second = await directory.StartAsync();

        Assert.Equal("kept", await GetBodyAsync(directory.ProxyUrl + "/kept"));
        Assert.Equal("kept", await GetBodyAsync(directory.ProxyUrl + "/last"));
        var (getStatus, body) = await AdminAsync(directory.AdminPort, HttpMethod.Get, "/apisix/admin/routes/2");
        Assert.Equal(200, getStatus);
        Assert.Contains("\"uri\":\"/last\"", body, StringComparison.Ordinal);
    }

    /// <summary>
    /// What an operator (and a benchmark) runs: no logging arguments. Start-up lines are there,
    /// but YARP's and ASP.NET Core's per-request lines are not (one per request would flood the
    /// console), nor Microsoft.Hosting.Lifetime's, which repeat the gateway's own.
    /// The output is read after a clean stop, so every line written was flushed.
    /// </summary>
    [Fact]
    public async Task Proxy_DefaultLogging_StartupLinesButNoPerRequestLines()
    {
        await using var upstream = await ProxyKit.NamedAsync("quiet");
        using var directory = new NodeDirectory();
        directory.WriteConfig();
        using var node = await directory.StartAsync();
        Assert.Equal(201, (await AdminAsync(directory.AdminPort, HttpMethod.Put, "/apisix/admin/routes/1", $$"""{"uri":"/quiet","upstream":{{ProxyKit.To(upstream)}} }""")).Status);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("quiet", await GetBodyAsync(directory.ProxyUrl + "/quiet"));
        }

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(40)));
        await node.WaitForOutputAsync("Stopping: new connections are refused", TimeSpan.FromSeconds(5));

        Assert.True(node.Contains($"Listening for proxy on 127.0.0.1:{directory.ProxyPort}"), node.Output);
        Assert.True(node.Contains("Enabled plugins:"), node.Output);
        Assert.False(node.Contains("Application started"), node.Output);
        Assert.False(node.Contains("Now listening on"), node.Output);
        Assert.False(node.Contains("Content root"), node.Output);
        Assert.False(node.Contains("Proxying to"), node.Output);
        Assert.False(node.Contains("Received HTTP/1.1 response"), node.Output);
        Assert.False(node.Contains("Request starting"), node.Output);
    }

    [Fact]
    public async Task Sigterm_WithSlowRequestInFlight_RequestCompletesAndProcessExitsZero()
    {
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = async http =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await http.Response.WriteAsync("finished");
        };
        using var directory = new NodeDirectory();
        directory.WriteConfig();
        using var node = await directory.StartAsync();
        Assert.Equal(201, (await AdminAsync(directory.AdminPort, HttpMethod.Put, "/apisix/admin/routes/1", $$"""{"uri":"/slow","upstream":{{ProxyKit.To(upstream)}} }""")).Status);

        var inFlight = Http.GetAsync(directory.ProxyUrl + "/slow");
        await upstream.NextAsync(TimeSpan.FromSeconds(30));
        node.Terminate();

        using var response = await inFlight;
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("finished", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await node.WaitForExitAsync(TimeSpan.FromSeconds(40)));
    }

    [Theory]
    [InlineData("admin_listen: {ip: 127.0.0.1, port: 99999}", "deployment.admin.admin_listen.port")]
    [InlineData("admin_listen: {ip: not-an-ip, port: 9180}", "deployment.admin.admin_listen.ip")]
    public async Task Start_InvalidConfigValue_StopsWithMessageNamingTheKey(string adminListen, string key)
    {
        using var directory = new NodeDirectory();
        var config = $$"""
            apisix:
              node_listen: [{{FreePort.Next()}}]
            deployment:
              role: traditional
              role_traditional: {config_provider: sqlite}
              sqlite: {path: {{directory.DatabasePath}}}
              admin:
                admin_key:
                  - {name: admin, key: {{GatewayNode.AdminKey}}, role: admin}
                {{adminListen}}
            """;
        await File.WriteAllTextAsync(directory.ConfigPath, config);

        using var node = GatewayProcess.Start(directory.Path, "-c", directory.ConfigPath);
        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        await node.WaitForOutputAsync(key, TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("-c")]
    [InlineData("--config")]
    public async Task Start_ConfigOptionWithRelativePaths_LogNamesListenersStoreAndGeneratedKey(string option)
    {
        using var directory = new NodeDirectory();
        int proxy = FreePort.Next(), admin = FreePort.Next(), metrics = FreePort.Next();
        Directory.CreateDirectory(Path.Combine(directory.Path, "conf"));
        await File.WriteAllTextAsync(Path.Combine(directory.Path, "conf", "config.yaml"), NodeDirectory.RelativePathsConfig(proxy, admin, metrics));
        var database = Path.Combine(directory.Path, "data", "mirrorgate.db");
        var keyFile = Path.Combine(directory.Path, "data", "admin_key");

        // Relative paths, the config's included, resolve against the working directory.
        using (var node = GatewayProcess.Start(directory.Path, option, Path.Combine("conf", "config.yaml")))
        {
            await node.WaitForPortAsync(admin);
            await node.WaitForOutputAsync($"Listening for proxy on 127.0.0.1:{proxy}");
            await node.WaitForOutputAsync($"Listening for Admin API on 127.0.0.1:{admin}");
            await node.WaitForOutputAsync($"Configuration store: sqlite at {database}");
            await node.WaitForOutputAsync($"Admin API key generated and saved in {keyFile}");

            Assert.True(File.Exists(database), "the database is not where the log says");
            var key = (await File.ReadAllTextAsync(keyFile)).Trim();
            Assert.Equal(32, key.Length);
            Assert.Equal(200, (await AdminAsync(admin, HttpMethod.Get, "/apisix/admin/routes", key: key)).Status);
            Assert.Equal(401, (await AdminAsync(admin, HttpMethod.Get, "/apisix/admin/routes", key: null)).Status);
            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync());
        }

        using (var again = GatewayProcess.Start(directory.Path, option, Path.Combine("conf", "config.yaml")))
        {
            await again.WaitForPortAsync(admin);
            await again.WaitForOutputAsync($"Admin API key read from {keyFile}");
        }
    }

    [Fact]
    public async Task Start_StoreHoldsInvalidItems_SkippedWithErrorLogAndNodeServesTheRest()
    {
        await using var upstream = await ProxyKit.NamedAsync("good");
        using var directory = new NodeDirectory();
        directory.WriteConfig();
        using (var first = await directory.StartAsync())
        {
            Assert.Equal(201, (await AdminAsync(directory.AdminPort, HttpMethod.Put, "/apisix/admin/routes/good", $$"""{"uri":"/good","upstream":{{ProxyKit.To(upstream)}} }""")).Status);
            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        // Written behind the gateway's back while it is stopped, as a broken tool or disk might.
        await using (var connection = new SqliteConnection($"Data Source={directory.DatabasePath};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO resources (kind, id, json, create_rev, mod_rev) VALUES
                  ('routes', 'bad-json', '{"uri":"/bad-json",', 100, 100),
                  ('routes', 'bad-schema', '{"uri":5,"upstream":{"nodes":{"127.0.0.1:1":1}}}', 101, 101),
                  ('upstreams', 'bad-upstream', '{"type":"roundrobin","nodes":"nope"}', 102, 102),
                  ('routes', 'not-an-object', '[1,2]', 103, 103);
                UPDATE meta SET value = 103 WHERE key = 'revision';
                """;
            await insert.ExecuteNonQueryAsync();
        }

        directory.WriteConfig();
        using var second = await directory.StartAsync();

        await second.WaitForOutputAsync("Skipping stored route bad-json");
        await second.WaitForOutputAsync("Skipping stored route bad-schema");
        await second.WaitForOutputAsync("Skipping stored upstream bad-upstream");
        await second.WaitForOutputAsync("Skipping stored route not-an-object");
        Assert.Equal("good", await GetBodyAsync(directory.ProxyUrl + "/good"));
        Assert.Equal(404, (int)(await Http.GetAsync(directory.ProxyUrl + "/bad-json")).StatusCode);

        // The node keeps working: a new route is stored and served although the bad rows remain.
        Assert.Equal(201, (await AdminAsync(directory.AdminPort, HttpMethod.Put, "/apisix/admin/routes/new", $$"""{"uri":"/new","upstream":{{ProxyKit.To(upstream)}} }""")).Status);
        Assert.Equal("good", await GetBodyAsync(directory.ProxyUrl + "/new"));
        Assert.False(second.HasExited);
    }

    private static async Task<string> GetBodyAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    private static async Task<(int Status, string Body)> AdminAsync(int port, HttpMethod method, string path, string? json = null, string? key = GatewayNode.AdminKey)
    {
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{port}{path}");
        if (key is not null)
        {
            request.Headers.Add("X-API-KEY", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

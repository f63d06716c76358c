using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Process;

/// <summary>
/// What the executable says, as an operator reads it: one line for a dead upstream, a log file
/// beside the console, config.yaml mistakes stopping start-up with the line or key to fix, the
/// store chosen for an APISIX-style config, and what an edit of config.yaml did.
/// </summary>
public sealed class MessagesProcessTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task DeadUpstream_DefaultLevelWithErrorLog_OneLineOnTheConsoleAndTheSameInTheFile()
    {
        using var directory = new NodeDirectory(kind: "messages");
        directory.WriteConfig("nginx_config:\n  error_log: logs/error.log\n");
        var dead = $"127.0.0.1:{FreePort.Next()}";
        using (var node = await directory.StartAsync())
        {
            Assert.Equal(HttpStatusCode.Created, await AdminPutAsync(directory.AdminPort, "/apisix/admin/routes/1", $$"""{"uri":"/dead","upstream":{"type":"roundrobin","nodes":{"{{dead}}":1} } }"""));
            using (var response = await Http.GetAsync(directory.ProxyUrl + "/dead"))
            {
                Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            }

            node.Terminate();
            Assert.Equal(0, await node.WaitForExitAsync());
            await node.WaitForOutputAsync("Stopping:", TimeSpan.FromSeconds(5));

            var line = Assert.Single(node.StandardOutput, l => l.Contains(dead, StringComparison.Ordinal));
            Assert.Contains("warn: MirrorGate.Pipeline.ProxyMiddleware[2001] Route 1: forwarding to " + dead + " failed", line, StringComparison.Ordinal);
            Assert.DoesNotContain(node.StandardOutput, l => l.StartsWith("   at ", StringComparison.Ordinal) || l.Contains("Yarp.", StringComparison.Ordinal));
            Assert.DoesNotContain(node.StandardOutput, l => l.Contains("Now listening on", StringComparison.Ordinal) || l.Contains("Application started", StringComparison.Ordinal));

            var file = await File.ReadAllLinesAsync(Path.Combine(directory.Path, "logs", "error.log"));
            Assert.Contains(file, l => l.Contains("info: MirrorGate[17] MirrorGate 0.", StringComparison.Ordinal));
            Assert.Contains(file, l => l.Contains($"info: MirrorGate[10] Listening for proxy on 127.0.0.1:{directory.ProxyPort}", StringComparison.Ordinal));
            Assert.EndsWith(line[line.IndexOf(" warn: ", StringComparison.Ordinal)..], Assert.Single(file, l => l.Contains(dead, StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.Contains(file, l => l.Contains("MirrorGate[18] Stopping:", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ErrorLogLevelError_GatewayWarningsHiddenStartupLinesKept()
    {
        using var directory = new NodeDirectory(kind: "messages");
        directory.WriteConfig("nginx_config:\n  error_log_level: error\n");
        var dead = $"127.0.0.1:{FreePort.Next()}";
        using var node = await directory.StartAsync();
        Assert.Equal(HttpStatusCode.Created, await AdminPutAsync(directory.AdminPort, "/apisix/admin/routes/1", $$"""{"uri":"/dead","upstream":{"type":"roundrobin","nodes":{"{{dead}}":1} } }"""));
        using (var response = await Http.GetAsync(directory.ProxyUrl + "/dead"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        }

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());
        await node.WaitForOutputAsync("Stopping:", TimeSpan.FromSeconds(5));

        Assert.True(node.Contains($"Listening for proxy on 127.0.0.1:{directory.ProxyPort}"), node.Output);
        Assert.False(node.Contains(dead), node.Output);
    }

    [Theory]
    [InlineData("node_lisen: [19080]\n", "node_lisen: unknown key, did you mean 'apisix.node_listen'?")]
    [InlineData("nginx_config:\n  error_log_levl: info\n", "nginx_config.error_log_levl: unknown key, did you mean 'error_log_level'?")]
    public async Task Start_MisspeltKey_OneLineNamingFileKeyAndSuggestionExitOne(string extraYaml, string expected)
    {
        using var directory = new NodeDirectory(kind: "messages");
        directory.WriteConfig(extraYaml);

        var (exitCode, _, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, "-c", "config.yaml");

        Assert.Equal(1, exitCode);
        Assert.StartsWith($"mirrorgate: {directory.ConfigPath}: {expected}", Assert.Single(stderr), StringComparison.Ordinal);
        Assert.False(File.Exists(directory.DatabasePath), "nothing may start on a config with a mistake");
    }

    [Fact]
    public async Task Start_TabIndentation_OneLineNamingLineTwoExitOne()
    {
        using var directory = new NodeDirectory(kind: "messages");
        await File.WriteAllTextAsync(directory.ConfigPath, "apisix:\n\tnode_listen: [19080]\n");

        var (exitCode, _, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, "-c", "config.yaml");

        Assert.Equal(1, exitCode);
        Assert.Equal($"mirrorgate: {directory.ConfigPath}: invalid YAML at line 2, column 1: a tab used as indentation (YAML indents with spaces only)", Assert.Single(stderr));
    }

    /// <summary>APISIX's Docker image config: <c>deployment.etcd</c> and no <c>config_provider</c> means etcd, as in APISIX.</summary>
    [Fact]
    public async Task Start_DeploymentEtcdWithoutConfigProvider_UsesEtcdAndSaysWhy()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using var directory = new NodeDirectory($"  etcd:\n    host: [\"{etcd.ClientUrl}\"]\n    prefix: /mg-{Guid.NewGuid():N}\n", kind: "messages");
        directory.WriteConfig();
        using var node = await directory.StartAsync();

        await node.WaitForOutputAsync($"Configuration store: etcd at {etcd.ClientUrl}");
        await node.WaitForOutputAsync("(deployment.etcd is set and deployment.role_traditional.config_provider is not; etcd is APISIX's default)");
        Assert.False(File.Exists(directory.DatabasePath), node.Output);
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());
    }

    /// <summary>An edit on disk while the node runs: the admin port waits for a restart (and the old one keeps serving), the live key applies.</summary>
    [Fact]
    public async Task EditConfig_AdminPortAndLiveKey_LogsAppliedAndRestartPendingByPath()
    {
        using var directory = new NodeDirectory(kind: "messages");
        directory.WriteConfig();
        using var node = await directory.StartAsync();
        var text = await File.ReadAllTextAsync(directory.ConfigPath);
        var newAdmin = FreePort.Next();

        await File.WriteAllTextAsync(directory.ConfigPath, text
            .Replace($"port: {directory.AdminPort}}}", $"port: {newAdmin}}}", StringComparison.Ordinal)
            .Replace("plugin_attr:\n", "plugin_attr:\n  proxy-mirror:\n    max_body_size: 2m\n", StringComparison.Ordinal));

        await node.WaitForOutputAsync($"{directory.ConfigPath} changed deployment.admin.admin_listen.port: these apply when the node restarts");
        await node.WaitForOutputAsync($"Reloaded {directory.ConfigPath}: applied plugin_attr.proxy-mirror.max_body_size");
        Assert.False(node.Contains("in force"), node.Output);
        await node.WaitForPortAsync(directory.AdminPort);

        await File.WriteAllTextAsync(directory.ConfigPath, text.Replace("plugin_attr:\n", "plugin_attr:\n  proxy-mirror:\n    max_body_size: 32q\n", StringComparison.Ordinal));
        await node.WaitForOutputAsync("changed but was refused, nothing was applied: plugin_attr.proxy-mirror.max_body_size");
        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());
        Assert.Single(node.StandardOutput, l => l.Contains("Reloaded", StringComparison.Ordinal));
    }

    private static async Task<HttpStatusCode> AdminPutAsync(int port, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{port}{path}");
        request.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
        request.Content = new StringContent(json, Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }
}

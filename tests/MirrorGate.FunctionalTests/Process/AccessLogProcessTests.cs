using System.Runtime.InteropServices;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Observability;
using MirrorGate.FunctionalTests.Proxy;

namespace MirrorGate.FunctionalTests.Process;

/// <summary>The access log of the real executable: where it goes by default, rotation by SIGUSR1, stdout, start-up failures.</summary>
public sealed class AccessLogProcessTests
{
    private const int SigUsr1 = 10;

    [Fact]
    public async Task DefaultConfig_LogsUnderWorkingDirectory_RotatedBySigusr1_FlushedAtStop()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // SIGUSR1 is 10 on Linux
        }

        await using var upstream = await ProxyKit.NamedAsync("up");
        using var directory = new NodeDirectory();
        int proxy = FreePort.Next(), admin = FreePort.Next(), metrics = FreePort.Next();
        await File.WriteAllTextAsync(directory.ConfigPath, NodeDirectory.RelativePathsConfig(proxy, admin, metrics));
        var log = Path.Combine(directory.Path, "logs", "access.log");
        using var node = GatewayProcess.Start(directory.Path, "-c", "config.yaml");
        await node.WaitForPortAsync(proxy);
        await node.WaitForPortAsync(admin);
        var key = (await File.ReadAllTextAsync(Path.Combine(directory.Path, "data", "admin_key"))).Trim();
        await PutRouteAsync(admin, key, $$"""{"uri":"/p/*","upstream":{{ProxyKit.To(upstream)}} }""");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxy}") };

        Assert.Equal("up", await client.GetStringAsync("/p/before"));
        await AccessLogFile.WaitForLineAsync(log, "/p/before");

        // logrotate's way: rename, then tell the process (postrotate: kill -USR1 <pid>).
        File.Move(log, log + ".1");
        Assert.Equal(0, Kill(node.Pid, SigUsr1));
        // Reopening creates the file again at its path.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(log))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{log} was not reopened after SIGUSR1; output was:\n{node.Output}");
            await Task.Delay(20);
        }

        Assert.Equal("up", await client.GetStringAsync("/p/after"));
        await AccessLogFile.WaitForLineAsync(log, "/p/after");

        // Lines of the last requests are on disk when the process has stopped.
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal("up", await client.GetStringAsync($"/p/last-{i}"));
        }

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());

        Assert.Single(AccessLogFile.ReadLines(log + ".1"), l => l.Contains("/p/before", StringComparison.Ordinal));
        var lines = AccessLogFile.ReadLines(log);
        Assert.DoesNotContain(lines, l => l.Contains("/p/before", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("GET /p/after HTTP/1.1\" 200 2 ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("/p/last-49", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ErrorLog_RotatedBySigusr1WithTheAccessLog()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // SIGUSR1 is 10 on Linux
        }

        using var directory = new NodeDirectory();
        int proxy = FreePort.Next(), admin = FreePort.Next(), metrics = FreePort.Next();
        await File.WriteAllTextAsync(directory.ConfigPath, NodeDirectory.RelativePathsConfig(proxy, admin, metrics) + "\nnginx_config:\n  error_log: logs/error.log\n");
        var errorLog = Path.Combine(directory.Path, "logs", "error.log");
        var accessLog = Path.Combine(directory.Path, "logs", "access.log");
        using var node = GatewayProcess.Start(directory.Path, "-c", "config.yaml");
        await node.WaitForPortAsync(proxy);
        await node.WaitForPortAsync(admin);
        var key = (await File.ReadAllTextAsync(Path.Combine(directory.Path, "data", "admin_key"))).Trim();
        var dead = FreePort.Next();
        await PutRouteAsync(admin, key, $$"""{"uri":"/dead/*","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{dead}}":1} } }""");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{proxy}") };

        // A dead node is one warning line (2001) in error_log.
        Assert.Equal(System.Net.HttpStatusCode.BadGateway, (await client.GetAsync("/dead/before")).StatusCode);
        await AccessLogFile.WaitForLineAsync(errorLog, "[2001]");
        await AccessLogFile.WaitForLineAsync(accessLog, "/dead/before");

        File.Move(errorLog, errorLog + ".1");
        File.Move(accessLog, accessLog + ".1");
        Assert.Equal(0, Kill(node.Pid, SigUsr1));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(errorLog) || !File.Exists(accessLog))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the logs were not reopened after SIGUSR1; output was:\n{node.Output}");
            await Task.Delay(20);
        }

        // Another route, so the failure line is not held back by the rate limit of the first.
        await PutRouteAsync(admin, key, $$"""{"uri":"/dead2/*","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:{{dead}}":1} } }""", routeId: "2");
        Assert.Equal(System.Net.HttpStatusCode.BadGateway, (await client.GetAsync("/dead2/after")).StatusCode);
        await AccessLogFile.WaitForLineAsync(errorLog, "Route 2:");
        await AccessLogFile.WaitForLineAsync(accessLog, "/dead2/after");

        node.Terminate();
        Assert.Equal(0, await node.WaitForExitAsync());
        Assert.DoesNotContain(AccessLogFile.ReadLines(errorLog), l => l.Contains("Route 1:", StringComparison.Ordinal));
        Assert.Contains(AccessLogFile.ReadLines(errorLog + ".1"), l => l.Contains("Route 1:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccessLogDevStdout_LinesOnStandardOutput()
    {
        using var directory = new NodeDirectory();
        int proxy = FreePort.Next(), admin = FreePort.Next(), metrics = FreePort.Next();
        await File.WriteAllTextAsync(directory.ConfigPath, NodeDirectory.RelativePathsConfig(proxy, admin, metrics)
            + "\nnginx_config:\n  http:\n    access_log: /dev/stdout\n    access_log_format: 'ALOG $request_method $uri $status'\n");
        using var node = GatewayProcess.Start(directory.Path, "-c", "config.yaml");
        await node.WaitForPortAsync(proxy);
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{proxy}/to-stdout");

        Assert.Equal(404, (int)response.StatusCode);
        await node.WaitForOutputAsync("ALOG GET /to-stdout 404");
        Assert.Contains("ALOG GET /to-stdout 404", node.StandardOutput);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "logs")));
    }

    [Theory]
    [InlineData("access_log_format: '$remote_addr $upstream_connect_time'", "nginx_config.http.access_log_format: unknown variable \"$upstream_connect_time\"")]
    [InlineData("access_log: /proc/version/access.log", "nginx_config.http.access_log: cannot open /proc/version/access.log for writing")]
    public async Task Start_BadAccessLogSetting_OneLineNamingKeyAndExit1(string setting, string expected)
    {
        using var directory = new NodeDirectory();
        await File.WriteAllTextAsync(directory.ConfigPath, NodeDirectory.RelativePathsConfig(FreePort.Next(), FreePort.Next(), FreePort.Next())
            + $"\nnginx_config:\n  http:\n    {setting}\n");

        var (exitCode, _, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, "-c", "config.yaml");

        Assert.Equal(1, exitCode);
        var failure = Assert.Single(stderr, l => l.StartsWith("mirrorgate: ", StringComparison.Ordinal) && l.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", failure, StringComparison.Ordinal);
    }

    private static async Task PutRouteAsync(int adminPort, string key, string json, string routeId = "1")
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{adminPort}/apisix/admin/routes/{routeId}") { Content = new StringContent(json) };
        request.Headers.Add("X-API-KEY", key);
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    // DllImport rather than LibraryImport: the latter needs unsafe code enabled for the whole test project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

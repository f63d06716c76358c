using System.Net;
using System.Net.Sockets;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Process;

/// <summary>The executable's command line as a new user meets it: help, version, typos, and start-ups that fail.</summary>
public sealed class CommandLineProcessTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_PrintsUsageToStdoutAndExitsZero(string arg)
    {
        using var directory = new NodeDirectory(kind: "cli");
        var (exitCode, stdout, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, arg);

        Assert.Equal(0, exitCode);
        var usage = string.Join('\n', stdout);
        Assert.StartsWith("usage: mirrorgate", usage, StringComparison.Ordinal);
        foreach (var text in new[] { "-c, --config PATH", "--Section:Key=Value", "mirrorgate export", "mirrorgate import", "--version" })
        {
            Assert.Contains(text, usage, StringComparison.Ordinal);
        }

        Assert.Empty(stderr);
        Assert.False(Directory.Exists(Path.Combine(directory.Path, "data")), "help started something");
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public async Task Version_PrintsOneLineAndExitsZero(string arg)
    {
        using var directory = new NodeDirectory(kind: "cli");
        var (exitCode, stdout, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, arg);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^mirrorgate \d+\.\d+\.\d+", Assert.Single(stdout));
        Assert.Empty(stderr);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-x")]
    public async Task UnknownOption_OneLineOnStderrAndExitTwo(string arg)
    {
        using var directory = new NodeDirectory(kind: "cli");
        var (exitCode, stdout, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, arg);

        Assert.Equal(2, exitCode);
        Assert.Equal($"mirrorgate: unknown option '{arg}' (see --help)", Assert.Single(stderr));
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Start_ConfigFileMissing_OneLineNamingTheFileAndExitOne()
    {
        using var directory = new NodeDirectory(kind: "cli");
        var (exitCode, _, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, "-c", "conf/missing.yaml");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr);
        Assert.StartsWith("mirrorgate: config file not found: " + Path.Combine(directory.Path, "conf", "missing.yaml"), line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ProxyPortInUse_OneLineNamingThePortNoStackTraceExitOne()
    {
        using var directory = new NodeDirectory(kind: "cli");
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        var port = ((IPEndPoint)taken.LocalEndPoint!).Port;
        await File.WriteAllTextAsync(directory.ConfigPath, NodeDirectory.RelativePathsConfig(port, FreePort.Next(), FreePort.Next()));

        var (exitCode, stdout, stderr) = await GatewayProcess.RunToExitAsync(directory.Path, "-c", "config.yaml");

        Assert.Equal(1, exitCode);
        var keyFile = Path.Combine(directory.Path, "data", "admin_key");
        Assert.Equal(
            [
                $"mirrorgate: the Admin API key generated for this start was saved in {keyFile}",
                $"mirrorgate: cannot listen on 127.0.0.1:{port} for the proxy (apisix.node_listen): address already in use (another process, or another listener of this node, has the port)",
            ],
            stderr);
        Assert.True(File.Exists(keyFile));
        Assert.DoesNotContain(stdout, l => l.StartsWith("   at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
        Assert.Contains(stdout, l => l.Contains("MirrorGate 0.", StringComparison.Ordinal) && l.Contains("starting with", StringComparison.Ordinal));
    }

    /// <summary>
    /// <c>dotnet run --project src/MirrorGate.Server -- -c conf/x.yaml</c> typed in a directory of
    /// the user's: the config and the relative paths in it resolve there, not in the repository.
    /// </summary>
    [Fact]
    public async Task DotnetRun_RelativeConfigFromAnotherDirectory_ResolvesAgainstThatDirectory()
    {
        using var directory = new NodeDirectory(kind: "cli");
        int proxy = FreePort.Next(), admin = FreePort.Next(), metrics = FreePort.Next();
        Directory.CreateDirectory(Path.Combine(directory.Path, "conf"));
        var configPath = Path.Combine(directory.Path, "conf", "x.yaml");
        await File.WriteAllTextAsync(configPath, NodeDirectory.RelativePathsConfig(proxy, admin, metrics) + "\nnginx_config:\n  error_log: logs/error.log\n");

        // The server project is built beside the tests, in the same configuration (Debug or Release).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var project = Path.Combine(RepositoryRoot(), "src", "MirrorGate.Server", "MirrorGate.Server.csproj");
        using var node = GatewayProcess.StartDotnet(directory.Path, "run", "--no-build", "--no-launch-profile", "--configuration", configuration, "--project", project, "--", "-c", "conf/x.yaml");

        await node.WaitForPortAsync(admin);
        await node.WaitForOutputAsync($"starting with {configPath}");
        await node.WaitForOutputAsync($"Configuration store: sqlite at {Path.Combine(directory.Path, "data", "mirrorgate.db")}");
        Assert.True(File.Exists(Path.Combine(directory.Path, "logs", "error.log")), node.Output);
        node.Terminate();
        await node.WaitForExitAsync();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MirrorGate.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no MirrorGate.slnx above {AppContext.BaseDirectory}");
    }
}

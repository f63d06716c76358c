using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Process;

/// <summary>
/// A temporary data directory for a gateway process: its config.yaml (fresh free ports on every
/// <see cref="WriteConfig"/>, the same SQLite file each time) and its database. Deleted on Dispose.
/// </summary>
internal sealed class NodeDirectory : IDisposable
{
    private readonly string? _storeYaml;

    /// <param name="storeYaml">Extra <c>deployment</c> lines for another store (etcd), or null for the embedded one.</param>
    /// <param name="kind">Names the temporary directory, for whoever looks at leftovers.</param>
    public NodeDirectory(string? storeYaml = null, string kind = "process")
    {
        _storeYaml = storeYaml;
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mirrorgate-tests", kind + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string ConfigPath => System.IO.Path.Combine(Path, "config.yaml");

    public string DatabasePath => System.IO.Path.Combine(Path, "mirrorgate.db");

    public int ProxyPort { get; private set; }

    public int AdminPort { get; private set; }

    public int MetricsPort { get; private set; }

    public string ProxyUrl => $"http://127.0.0.1:{ProxyPort}";

    /// <summary>
    /// A config.yaml as a new user writes one: relative database path (<c>data/mirrorgate.db</c>),
    /// an Admin API key left empty so the node generates one, loopback listeners on these ports.
    /// </summary>
    public static string RelativePathsConfig(int proxy, int admin, int metrics) => $$"""
        apisix:
          node_listen:
            - {ip: 127.0.0.1, port: {{proxy}}}
        deployment:
          role: traditional
          role_traditional: {config_provider: sqlite}
          sqlite: {path: data/mirrorgate.db}
          admin:
            admin_key:
              - {name: admin, key: "", role: admin}
            admin_listen: {ip: 127.0.0.1, port: {{admin}}}
        plugin_attr:
          prometheus: {export_addr: {ip: 127.0.0.1, port: {{metrics}}} }
        """;


    /// <summary>Writes config.yaml with the harness's keys and new free ports (a restart may not get the old ones back).</summary>
    /// <param name="extraYaml">Top-level sections added at the end (e.g. <c>nginx_config:</c>), or null.</param>
    public string WriteConfig(string? extraYaml = null)
    {
        ProxyPort = FreePort.Next();
        AdminPort = FreePort.Next();
        MetricsPort = FreePort.Next();
        File.WriteAllText(ConfigPath, GatewayNode.RenderConfig(Path, ProxyPort, AdminPort, MetricsPort, null, null, extraYaml, null, _storeYaml));
        return ConfigPath;
    }

    /// <summary>Starts the executable on this directory's config and waits (bounded) until both proxy and Admin API listen.</summary>
    public async Task<GatewayProcess> StartAsync()
    {
        var process = GatewayProcess.Start(Path, "-c", ConfigPath);
        try
        {
            await process.WaitForPortAsync(ProxyPort);
            await process.WaitForPortAsync(AdminPort);
            return process;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Writes a fresh config (new ports), then starts as <see cref="StartAsync"/> does.</summary>
    public Task<GatewayProcess> StartFreshAsync()
    {
        WriteConfig();
        return StartAsync();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

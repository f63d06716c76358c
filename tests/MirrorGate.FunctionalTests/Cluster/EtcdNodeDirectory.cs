using MirrorGate.FunctionalTests.Etcd;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Process;

namespace MirrorGate.FunctionalTests.Cluster;

/// <summary>
/// A temporary directory for a gateway process on etcd: its config.yaml (fresh free ports on every
/// <see cref="WriteConfig"/>) and nothing else, since the configuration lives in etcd. Deleted on Dispose.
/// </summary>
internal sealed class EtcdNodeDirectory : IDisposable
{
    private readonly EtcdServer _etcd;
    private readonly string _prefix;

    public EtcdNodeDirectory(EtcdServer etcd, string prefix = "/apisix")
    {
        _etcd = etcd;
        _prefix = prefix;
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mirrorgate-tests", "cluster-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string ConfigPath => System.IO.Path.Combine(Path, "config.yaml");

    public int ProxyPort { get; private set; }

    public int AdminPort { get; private set; }

    public string ProxyUrl => $"http://127.0.0.1:{ProxyPort}";

    /// <summary>Writes config.yaml with the harness's keys and new free ports (a restart may not get the old ones back).</summary>
    public string WriteConfig()
    {
        ProxyPort = FreePort.Next();
        AdminPort = FreePort.Next();
        var metrics = FreePort.Next();
        File.WriteAllText(ConfigPath, GatewayNode.RenderConfig(Path, ProxyPort, AdminPort, metrics, null, null, null, null, EtcdTestStores.DeploymentYaml(_etcd, _prefix)));
        return ConfigPath;
    }

    /// <summary>Writes a fresh config, starts the executable on it and waits (bounded) until proxy and Admin API listen.</summary>
    public async Task<GatewayProcess> StartAsync()
    {
        WriteConfig();
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

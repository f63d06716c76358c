using System.Collections.Concurrent;
using System.Diagnostics;
using dotnet_etcd;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real etcd process on free 127.0.0.1 ports with its own temporary data directory. It can be
/// stopped (killed, as a crash would) and started again on the same data dir and ports, for
/// outage tests; dispose kills it by PID and deletes the data.
/// </summary>
internal sealed class EtcdServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentQueue<string> _output = new();
    private System.Diagnostics.Process? _process;

    private EtcdServer(string directory, int clientPort, int peerPort)
    {
        Directory = directory;
        ClientPort = clientPort;
        PeerPort = peerPort;
    }

    /// <summary>The temporary directory holding the data dir.</summary>
    public string Directory { get; }

    public string DataDir => Path.Combine(Directory, "data");

    public int ClientPort { get; }

    public int PeerPort { get; }

    /// <summary>The client URL, e.g. <c>http://127.0.0.1:23791</c>, for <c>deployment.etcd.host</c>.</summary>
    public string ClientUrl => $"http://127.0.0.1:{ClientPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The PID of the running etcd, for tests that report it.</summary>
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The executable: $ETCD_BIN, else etcd on PATH.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("ETCD_BIN") is { Length: > 0 } bin ? bin : "etcd";

    /// <summary>Starts a fresh etcd and waits (bounded) until it answers.</summary>
    public static async Task<EtcdServer> StartAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", "etcd-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(directory);
            var server = new EtcdServer(directory, FreePort.Next(), FreePort.Next());
            try
            {
                await server.RestartAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 2)
            {
                // Most likely a port taken between FreePort and etcd's bind: try other ports.
                await server.DisposeAsync();
            }
        }
    }

    /// <summary>Starts etcd again on the same data dir and ports (after <see cref="StopAsync"/>), and waits until it answers.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("etcd is already running");
        }

        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--name", "t",
            "--data-dir", DataDir,
            "--listen-client-urls", ClientUrl,
            "--advertise-client-urls", ClientUrl,
            "--listen-peer-urls", $"http://127.0.0.1:{PeerPort}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{PeerPort}",
            "--initial-cluster", $"t=http://127.0.0.1:{PeerPort}",
            "--log-level", "warn",
        })
        {
            info.ArgumentList.Add(arg);
        }

        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("etcd did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot run {Executable} ({ex.Message}); install Debian's etcd-server (./test.sh does) or set ETCD_BIN", ex);
        }

        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with code {process.ExitCode} at start:\n{Output}");
            }

            try
            {
                var health = await http.GetStringAsync($"{ClientUrl}/health");
                if (health.Contains("\"health\":\"true\"", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                await StopAsync();
                throw new InvalidOperationException($"etcd did not answer on {ClientUrl} within {StartTimeout.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Kills etcd (by PID, as a crash would) and waits until it exited; the data dir stays.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (InvalidOperationException)
        {
            // Exited on its own meanwhile.
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>A client of this etcd, for tests that write or compact straight in etcd.</summary>
    public EtcdClient CreateClient() => new(ClientUrl);

    /// <summary>The last lines etcd printed, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Process;

/// <summary>
/// The real gateway executable (<c>dotnet MirrorGate.Server.dll ...</c>) as a child process, with
/// its console output kept line by line. Every wait is bounded; Dispose kills the child by PID if
/// it is still running, so a failing test never leaves a gateway behind.
/// </summary>
internal sealed class GatewayProcess : IDisposable
{
    private const int SigTerm = 15;

    private readonly System.Diagnostics.Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private GatewayProcess(System.Diagnostics.Process process)
    {
        _process = process;
    }

    /// <summary>The child's process id, known once it started.</summary>
    public int Pid { get; private set; }

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved as read.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>What the process wrote to standard output alone, line by line.</summary>
    public IReadOnlyList<string> StandardOutput => _stdout.ToArray();

    /// <summary>What the process wrote to standard error alone, line by line.</summary>
    public IReadOnlyList<string> StandardError => _stderr.ToArray();

    public bool HasExited => _process.HasExited;

    /// <summary>The path of MirrorGate.Server.dll, copied beside this test assembly by the project reference.</summary>
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "MirrorGate.Server.dll");

    /// <summary>Starts the executable with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    public static GatewayProcess Start(string workingDirectory, params string[] args)
    {
        if (!File.Exists(ServerDll))
        {
            throw new FileNotFoundException("MirrorGate.Server.dll is not beside the test assembly; build the test project first", ServerDll);
        }

        return StartDotnet(workingDirectory, [ServerDll, .. args]);
    }

    /// <summary>Runs the executable to its end (bounded) and returns what it wrote, stream by stream.</summary>
    public static async Task<(int ExitCode, IReadOnlyList<string> StandardOutput, IReadOnlyList<string> StandardError)> RunToExitAsync(string workingDirectory, params string[] args)
    {
        using var process = Start(workingDirectory, args);
        var exitCode = await process.WaitForExitAsync();
        return (exitCode, process.StandardOutput, process.StandardError);
    }

    /// <summary>Runs <c>dotnet <paramref name="args"/></c> in <paramref name="workingDirectory"/> (for example <c>dotnet run</c>).</summary>
    public static GatewayProcess StartDotnet(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // The child must not pick up a test runner's environment name or URLs.
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = new System.Diagnostics.Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new GatewayProcess(process);
        process.OutputDataReceived += (_, e) => child.Collect(e.Data, child._stdout);
        process.ErrorDataReceived += (_, e) => child.Collect(e.Data, child._stderr);
        if (!process.Start())
        {
            throw new InvalidOperationException("dotnet did not start");
        }

        child.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Collect(string? line, ConcurrentQueue<string> stream)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
            stream.Enqueue(line);
        }
    }

    public bool Contains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Waits (bounded) until the output has a line containing <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Contains(text))
        {
            if (DateTime.UtcNow > deadline || (_process.HasExited && !Contains(text)))
            {
                // Output may still be draining after an exit; give it one last look.
                await Task.Delay(200);
                if (Contains(text))
                {
                    return;
                }

                throw new TimeoutException($"no output line containing \"{text}\" (exited: {_process.HasExited}); output was:\n{Output}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Waits (bounded) until a TCP connection to 127.0.0.1:<paramref name="port"/> is accepted.</summary>
    public Task WaitForPortAsync(int port, TimeSpan? timeout = null)
        => PortProbe.WaitUntilAcceptingAsync(
            port,
            timeout ?? TimeSpan.FromSeconds(60),
            () => _process.HasExited ? $"the gateway exited with {_process.ExitCode} before listening on {port}; output was:\n{Output}" : null,
            () => $"nothing listens on 127.0.0.1:{port}; output was:\n{Output}");

    /// <summary>SIGKILL: the process gets no chance to flush or clean up.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    /// <summary>SIGTERM, as a service manager or <c>docker stop</c> sends it.</summary>
    public void Terminate()
    {
        if (Kill(Pid, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {Pid} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits (bounded) for the process to exit and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the gateway (pid {Pid}) did not exit; output was:\n{Output}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    // DllImport rather than LibraryImport: the latter needs unsafe code enabled for the whole test project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

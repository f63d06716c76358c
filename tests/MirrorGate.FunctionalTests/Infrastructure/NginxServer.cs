using System.Diagnostics;
using System.Text;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real nginx (Debian's) on a free 127.0.0.1 port, with its own prefix directory and config, as
/// the benchmarks run it: not a daemon and, here, one process (<c>master_process off</c>), so
/// killing it by PID leaves no worker behind. Dispose kills it and deletes the directory.
/// </summary>
internal sealed class NginxServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly System.Diagnostics.Process _process;

    private NginxServer(System.Diagnostics.Process process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Where the access log goes, in the format the test gave.</summary>
    public string AccessLogPath => Path.Combine(Directory, "access.log");

    public string ErrorLogPath => Path.Combine(Directory, "error.log");

    /// <summary>The executable: $NGINX_BIN, else Debian's /usr/sbin/nginx, else nginx on PATH.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("NGINX_BIN") is { Length: > 0 } bin
        ? bin
        : File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

    /// <summary>Starts nginx with <paramref name="serverBlock"/> inside its one <c>server { listen ...; }</c>
    /// and the access log in <paramref name="accessLogFormat"/> (nginx variables); waits (bounded) until it accepts.</summary>
    public static async Task<NginxServer> StartAsync(string serverBlock, string accessLogFormat)
    {
        for (var attempt = 0; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", "nginx-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(directory);
            var port = FreePort.Next();
            var config = Path.Combine(directory, "nginx.conf");
            await File.WriteAllTextAsync(config, Render(directory, port, serverBlock, accessLogFormat));
            var server = new NginxServer(Launch(directory, config), directory, port);
            try
            {
                await server.WaitUntilAcceptingAsync();
                return server;
            }
            catch (InvalidOperationException) when (attempt < 2 && server.ErrorLog().Contains("Address already in use", StringComparison.Ordinal))
            {
                // The port was taken between FreePort and nginx's bind: try another.
                await server.DisposeAsync();
            }
        }
    }

    private static string Render(string directory, int port, string serverBlock, string accessLogFormat)
    {
        var text = new StringBuilder();

        // As root nginx would switch to "nobody", which cannot write the test's directory.
        if (Environment.UserName == "root")
        {
            text.AppendLine("user root root;");
        }

        text.AppendLine($$"""
            master_process off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 1024; }
            http {
                client_body_temp_path {{directory}}/client_body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                log_format test '{{accessLogFormat}}';
                access_log {{directory}}/access.log test;
                server {
                    listen 127.0.0.1:{{port}};
                    {{serverBlock}}
                }
            }
            """);
        return text.ToString();
    }

    private static System.Diagnostics.Process Launch(string directory, string config)
    {
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", directory, "-c", config, "-e", Path.Combine(directory, "error.log"), "-g", "daemon off;" })
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException("nginx did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"cannot run {Executable} ({ex.Message}); install Debian's nginx (./test.sh does) or set NGINX_BIN", ex);
        }
    }

    private Task WaitUntilAcceptingAsync()
        => PortProbe.WaitUntilAcceptingAsync(
            Port,
            StartTimeout,
            () => _process.HasExited ? $"nginx exited with code {_process.ExitCode} at start:\n{ErrorLog()}" : null,
            () => $"nginx did not accept on {Url} within {StartTimeout.TotalSeconds} s:\n{ErrorLog()}");

    /// <summary>The access log's lines so far (nginx writes each when the request is logged).</summary>
    public string[] AccessLogLines() => File.Exists(AccessLogPath)
        ? File.ReadAllLines(AccessLogPath)
        : [];

    /// <summary>The error log, for failure messages.</summary>
    public string ErrorLog() => File.Exists(ErrorLogPath) ? File.ReadAllText(ErrorLogPath) : "(no error log)";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Exited meanwhile, or the wait is over: nothing more to do from here.
        }
        finally
        {
            _process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

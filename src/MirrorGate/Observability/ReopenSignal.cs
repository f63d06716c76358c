using System.Runtime.InteropServices;

namespace MirrorGate.Observability;

/// <summary>
/// SIGUSR1 reopens the node's log files (the access log and <c>error_log</c>), nginx's convention
/// that logrotate's <c>postrotate</c> scripts rely on (<c>kill -USR1 $(cat nginx.pid)</c>): rename
/// the file, send the signal, and new lines go to a new file at the configured path. Each file
/// registers on its own; .NET calls every registration of a signal.
/// </summary>
internal static class ReopenSignal
{
    /// <summary>SIGUSR1's number: 10 on Linux, 30 on macOS and the BSDs. .NET takes raw numbers cast to <see cref="PosixSignal"/>.</summary>
    public static int? SigUsr1 =>
        OperatingSystem.IsLinux() ? 10
        : OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 30
        : null;

    /// <summary>Starts listening; null where there are no POSIX signals (Windows).</summary>
    public static IDisposable? Register(Action reopen)
    {
        if (SigUsr1 is not { } signal)
        {
            return null;
        }

        return PosixSignalRegistration.Create((PosixSignal)signal, context =>
        {
            // SIGUSR1's default action ends the process; handled, it must not.
            context.Cancel = true;
            reopen();
        });
    }
}

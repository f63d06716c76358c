using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// Opens where the access log goes: <c>/dev/stdout</c> (or <c>/dev/stderr</c>) is the process's
/// own stream; any other path a file, its directory created, opened for appending. On Linux
/// the file is opened with <c>O_APPEND</c> as nginx opens it, so every write lands at the end
/// even when another process appends too or logrotate's <c>copytruncate</c> cut the file
/// (.NET's <c>FileMode.Append</c> only seeks to the end once).
/// </summary>
internal static class AccessLogFile
{
    public const string StandardOutput = "/dev/stdout";
    public const string StandardError = "/dev/stderr";

    private const int OWronly = 0x1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    private const int OCloexec = 0x80000;

    /// <summary>True when the path is a file that rotation (rename + reopen) applies to.</summary>
    public static bool IsFile(string path) => path is not (StandardOutput or StandardError);

    /// <summary>An unbuffered stream for writing; the caller buffers.</summary>
    /// <exception cref="IOException">The file cannot be opened; the message says why (permission, missing parent, ...).</exception>
    public static Stream Open(string path)
    {
        switch (path)
        {
            case StandardOutput:
                return Console.OpenStandardOutput();
            case StandardError:
                return Console.OpenStandardError();
        }

        try
        {
            if (Path.GetDirectoryName(path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            if (OperatingSystem.IsLinux())
            {
                var fd = OpenFile(path, OWronly | OCreat | OAppend | OCloexec, Convert.ToInt32("644", 8));
                if (fd < 0)
                {
                    throw new IOException(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                }

                return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0);
            }

            return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    // DllImport rather than LibraryImport: the latter needs unsafe code enabled for the whole project.
    // On Unix a string parameter is passed as UTF-8.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenFile(string path, int flags, int mode);
}

using System.Text;

namespace MirrorGate.Configuration;

/// <summary>
/// A one-line value the node generates once and keeps in the data directory (the admin key, the
/// node id): written aside and moved in, so a crash never leaves half a value, readable by the
/// owner only, and read back on every later start.
/// </summary>
internal static class PrivateFile
{
    /// <summary>The value in <paramref name="path"/>, or a new one from <paramref name="generate"/> saved there.</summary>
    /// <param name="what">Names the file in the error, e.g. "admin key".</param>
    /// <exception cref="ConfigException">The file cannot be read or written.</exception>
    public static (string Value, bool Generated) ReadOrCreate(string path, Func<string> generate, string what)
    {
        try
        {
            if (ReadExisting(path) is { } existing)
            {
                return (existing, false);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var value = generate();
            var temp = $"{path}.{Guid.NewGuid():N}.tmp";
            WritePrivate(temp, value);
            try
            {
                File.Move(temp, path, overwrite: File.Exists(path));
            }
            catch (IOException) when (ReadExisting(path) is { } winner)
            {
                // Another process starting on the same data directory got there first: use its value.
                File.Delete(temp);
                return (winner, false);
            }

            return (value, true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read or create the {what} file {path}: {ex.Message}", ex);
        }
    }

    /// <summary>The value in the file, or null when there is no file or it holds only whitespace.</summary>
    private static string? ReadExisting(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var value = File.ReadAllText(path, Encoding.UTF8).Trim();
        if (value.Length == 0)
        {
            return null;
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite)) != 0)
        {
            // Someone loosened it (a copy, an archive restore): the admin key is a secret, tighten it again.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return value;
    }

    private static void WritePrivate(string path, string value)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Created 0600 from the start, never briefly readable by others.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(Encoding.UTF8.GetBytes(value + "\n"));
        stream.Flush(flushToDisk: true);
    }
}

namespace MirrorGate.FunctionalTests.Observability;

/// <summary>Reads an access log a running gateway writes, waiting (bounded) for lines to arrive.</summary>
internal static class AccessLogFile
{
    public static string[] ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The file's lines once one contains <paramref name="text"/>; the writer flushes at least once a second.</summary>
    public static async Task<string[]> WaitForLineAsync(string path, string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var lines = ReadLines(path);
            if (lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return lines;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no line containing \"{text}\" in {path}; it has:\n{string.Join('\n', lines)}");
            }

            await Task.Delay(25);
        }
    }
}

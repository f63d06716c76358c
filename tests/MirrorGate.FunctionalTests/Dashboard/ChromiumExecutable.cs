namespace MirrorGate.FunctionalTests.Dashboard;

/// <summary>
/// Debian's Chromium, which the browser tests drive (./test.sh installs it). Missing, it fails the
/// test with a message saying how to install it: a skipped browser test would pass unnoticed.
/// </summary>
internal static class ChromiumExecutable
{
    public static string Find()
    {
        string[] candidates =
        [
            "/usr/bin/chromium",
            .. (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "chromium")),
        ];
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("Debian's chromium is not installed (looked for /usr/bin/chromium and chromium on PATH): ./test.sh installs it, or run `apt-get install -y chromium`");
    }
}

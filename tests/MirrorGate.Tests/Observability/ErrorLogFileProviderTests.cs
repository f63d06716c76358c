using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Observability;

namespace MirrorGate.Tests.Observability;

/// <summary>nginx_config.error_log: the console's lines, also in a file, reopened on demand.</summary>
public sealed class ErrorLogFileProviderTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mirrorgate-errorlog-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task Open_MissingDirectory_CreatedAndEachEventIsOneLine()
    {
        var path = Path.Combine(_directory, "logs", "error.log");
        using var provider = ErrorLogFileProvider.Open(path);
        var logger = provider.CreateLogger("MirrorGate.Pipeline.ProxyMiddleware");

        logger.Log(LogLevel.Warning, new EventId(2001), "Route 1: forwarding to 127.0.0.1:1 failed", null, (s, _) => s);
        logger.Log(LogLevel.Error, new EventId(1102), "two\nlines", new InvalidOperationException("boom"), (s, _) => s);
        await provider.FlushAsync(Wait);

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} warn: MirrorGate\.Pipeline\.ProxyMiddleware\[2001\] Route 1: forwarding to 127\.0\.0\.1:1 failed$", lines[0]);
        Assert.Contains(" fail: MirrorGate.Pipeline.ProxyMiddleware[1102] two lines System.InvalidOperationException: boom", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopen_AfterRotateRenamedTheFile_NewLinesGoToANewFile()
    {
        var path = Path.Combine(_directory, "error.log");
        using var provider = ErrorLogFileProvider.Open(path);
        var logger = provider.CreateLogger("MirrorGate");

        logger.LogWarning("before");
        await provider.FlushAsync(Wait);
        File.Move(path, path + ".1");
        logger.LogWarning("still the old file");
        await provider.FlushAsync(Wait);
        provider.Reopen();
        logger.LogWarning("after");
        await provider.FlushAsync(Wait);

        var rotated = await File.ReadAllLinesAsync(path + ".1");
        Assert.Equal(2, rotated.Length);
        Assert.EndsWith("before", rotated[0], StringComparison.Ordinal);
        Assert.EndsWith("still the old file", rotated[1], StringComparison.Ordinal);
        Assert.EndsWith("after", Assert.Single(await File.ReadAllLinesAsync(path)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reopen_PathBrokenThenFixed_LinesInBetweenDroppedAndCountedThenWritingResumes()
    {
        var logs = Path.Combine(_directory, "logs");
        var path = Path.Combine(logs, "error.log");
        using var provider = ErrorLogFileProvider.Open(path);
        var logger = provider.CreateLogger("MirrorGate");

        Directory.Delete(logs, recursive: true);
        File.WriteAllText(logs, "a file where the directory was");
        provider.Reopen();
        logger.LogWarning("lost");
        await provider.FlushAsync(Wait);
        Assert.Equal(1, provider.Dropped);

        File.Delete(logs);
        provider.Reopen();
        logger.LogWarning("back");
        await provider.FlushAsync(Wait);

        var lines = await File.ReadAllLinesAsync(path);
        Assert.Contains(lines, l => l.EndsWith("back", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("1 log lines were dropped: the error_log file did not keep up", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_PathUnderAFile_ConfigExceptionNamesKeyAndPath()
    {
        Directory.CreateDirectory(_directory);
        var notADirectory = Path.Combine(_directory, "file");
        File.WriteAllText(notADirectory, "x");
        var path = Path.Combine(notADirectory, "error.log");

        var ex = Assert.Throws<ConfigException>(() => ErrorLogFileProvider.Open(path));

        Assert.StartsWith($"nginx_config.error_log: cannot open {path}:", ex.Message, StringComparison.Ordinal);
    }
}

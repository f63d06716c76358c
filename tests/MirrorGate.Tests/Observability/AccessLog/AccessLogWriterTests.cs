using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Observability;
using MirrorGate.Observability.AccessLog;

namespace MirrorGate.Tests.Observability.AccessLog;

public sealed class AccessLogWriterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mirrorgate-alog-" + Guid.NewGuid().ToString("N"));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusExporter _exporter;
    private readonly AccessLogMetrics _metrics;
    private readonly ListLogger _logger = new();

    public AccessLogWriterTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(scope: factory);
        _metrics = new AccessLogMetrics(factory);
    }

    public void Dispose()
    {
        _metrics.Dispose();
        _exporter.Dispose();
        _services.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TryEnqueue_MissingDirectory_CreatedAndLinesWrittenInOrder()
    {
        var path = Path.Combine(_directory, "logs", "deeper", "access.log");
        using var writer = Writer(path);

        for (var i = 0; i < 100; i++)
        {
            Assert.True(Enqueue(writer, $"line {i}\n"));
        }

        await writer.FlushAsync();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"line {i}"), File.ReadAllLines(path));
        Assert.Equal(0, writer.QueuedBytes);
    }

    [Fact]
    public async Task TryEnqueue_QuietWriter_LineReachesTheFileWithinASecond()
    {
        var path = Path.Combine(_directory, "access.log");
        using var writer = Writer(path, bufferBytes: 1024 * 1024);

        Enqueue(writer, "one line\n");

        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency;
        while (new FileInfo(path).Length == 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal("one line\n", File.ReadAllText(path));
    }

    [Fact]
    public void Dispose_LinesStillQueued_WrittenAndFlushedBeforeItReturns()
    {
        var path = Path.Combine(_directory, "access.log");
        var writer = Writer(path, bufferBytes: 1024 * 1024);
        for (var i = 0; i < 5000; i++)
        {
            Enqueue(writer, $"shutdown line {i}\n");
        }

        writer.Dispose();

        var lines = File.ReadAllLines(path);
        Assert.Equal(5000, lines.Length);
        Assert.Equal("shutdown line 4999", lines[^1]);
        Assert.Equal(0, writer.DroppedLines);
    }

    [Fact]
    public async Task RequestReopen_AfterRename_NewLinesGoToANewFile()
    {
        var path = Path.Combine(_directory, "access.log");
        using var writer = Writer(path);
        Enqueue(writer, "before rotation\n");
        await writer.FlushAsync();

        File.Move(path, path + ".1");
        Enqueue(writer, "still to the moved file\n");
        await writer.FlushAsync();
        writer.RequestReopen();
        await writer.FlushAsync();
        Enqueue(writer, "after rotation\n");
        await writer.FlushAsync();

        Assert.Equal(["before rotation", "still to the moved file"], File.ReadAllLines(path + ".1"));
        Assert.Equal(["after rotation"], File.ReadAllLines(path));
        Assert.Contains(_logger.Entries, e => e.Message.Contains("reopened", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TryEnqueue_FileTruncatedByCopytruncate_AppendsAtTheNewEnd()
    {
        var path = Path.Combine(_directory, "access.log");
        using var writer = Writer(path);
        Enqueue(writer, "a long line before logrotate copied and truncated the file\n");
        await writer.FlushAsync();

        File.WriteAllText(path, "");
        Enqueue(writer, "after\n");
        await writer.FlushAsync();

        // O_APPEND: no hole of zero bytes where the old content was.
        Assert.Equal("after\n", File.ReadAllText(path));
    }

    [Fact]
    public void Constructor_PathUnderAFile_ThrowsIOException()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "plain-file");
        File.WriteAllText(file, "");

        Assert.ThrowsAny<IOException>(() => Writer(Path.Combine(file, "access.log")));
    }

    [Fact]
    public async Task TryEnqueue_FifoNobodyReads_LinesDroppedAndCountedWithoutWaiting()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the open(2) flags below are Linux's
        }

        Directory.CreateDirectory(_directory);
        var fifo = Path.Combine(_directory, "access.fifo");
        Assert.Equal(0, MkFifo(fifo, Convert.ToInt32("600", 8)));

        // A reader that never reads: the pipe's 64 KiB fill, then the writer thread blocks in write(2).
        var reader = Open(fifo, ORdonly | ONonblock);
        Assert.True(reader >= 0);
        var writer = Writer(fifo, bufferBytes: 0, capacityBytes: AccessLogWriter.MinQueueBytes, stopTimeout: TimeSpan.FromSeconds(10));
        try
        {
            var line = new string('x', 199) + "\n";
            var slowest = TimeSpan.Zero;
            var accepted = 0;
            for (var i = 0; i < 3000; i++)
            {
                var started = Stopwatch.GetTimestamp();
                if (Enqueue(writer, line))
                {
                    accepted++;
                }

                var took = Stopwatch.GetElapsedTime(started);
                slowest = took > slowest ? took : slowest;
                if (i % 100 == 99)
                {
                    // Lets the writer thread reach the point where it is stuck on the pipe.
                    await Task.Delay(5);
                }
            }

            // 64 KiB in the pipe and 64 KiB in the queue hold about 660 lines of 200 bytes; the rest are dropped.
            Assert.InRange(accepted, 300, 700);
            Assert.Equal(3000 - accepted, writer.DroppedLines);
            Assert.True(writer.QueuedBytes <= writer.CapacityBytes);
            Assert.True(slowest < TimeSpan.FromMilliseconds(200), $"an enqueue took {slowest.TotalMilliseconds} ms");
            Assert.Contains($"mirrorgate_access_log_dropped_lines_total {writer.DroppedLines}", _exporter.Render(), StringComparison.Ordinal);
            Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("lines dropped", StringComparison.Ordinal));
        }
        finally
        {
            // The reader goes away: the stuck write fails (EPIPE) and the writer can stop.
            Close(reader);
            writer.Dispose();
        }
    }

    private AccessLogWriter Writer(string path, int bufferBytes = 16384, long? capacityBytes = null, TimeSpan? stopTimeout = null)
        => new(path, bufferBytes, capacityBytes ?? AccessLogWriter.QueueBytesFor(bufferBytes), _metrics, TimeProvider.System, _logger, stopTimeout);

    private static bool Enqueue(AccessLogWriter writer, string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var buffer = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(buffer, 0);
        return writer.TryEnqueue(buffer, bytes.Length);
    }

    private const int ORdonly = 0;
    private const int ONonblock = 0x800;

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, int mode);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    internal sealed class ListLogger : ILogger
    {
        private readonly List<(LogLevel Level, string Message)> _entries = [];

        public IReadOnlyList<(LogLevel Level, string Message)> Entries
        {
            get
            {
                lock (_entries)
                {
                    return [.. _entries];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_entries)
            {
                _entries.Add((logLevel, formatter(state, exception)));
            }
        }
    }

    [Theory]
    [InlineData(0, 64 * 1024)]
    [InlineData(16384, 4 * 1024 * 1024)]
    [InlineData(64 * 1024 * 1024, 64L * 1024 * 1024)]
    public void QueueBytesFor_BufferTimes256_BetweenFloorAndCeiling(int buffer, long expected)
        => Assert.Equal(expected, AccessLogWriter.QueueBytesFor(buffer));
}

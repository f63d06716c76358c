using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Tests.Observability;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class MismatchLogWriterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mirrorgate-log-{Guid.NewGuid():N}");
    private readonly CompareMetrics _metrics = new();

    public void Dispose()
    {
        _metrics.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task TryWrite_Records_OneJsonObjectALineInOrder()
    {
        var path = Path.Combine(_directory, "sub", "mismatches.jsonl");
        await using (var writer = new MismatchLogWriter(() => path, _metrics, NullLogger.Instance))
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.True(writer.TryWrite(MismatchRecordTests.Sample(path: $"/{i}")));
            }

            await writer.FlushAsync();
            var lines = await File.ReadAllLinesAsync(path);
            Assert.Equal(50, lines.Length);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"/{i}"), lines.Select(l => JsonNode.Parse(l)!["request"]!["path"]!.GetValue<string>()));
        }
    }

    [Fact]
    public async Task TryWrite_ExistingFile_Appended()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "m.jsonl");
        await File.WriteAllTextAsync(path, "earlier\n");
        await using var writer = new MismatchLogWriter(() => path, _metrics, NullLogger.Instance);
        writer.TryWrite(MismatchRecordTests.Sample());
        await writer.FlushAsync();
        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal("earlier", lines[0]);
    }

    [Fact]
    public async Task TryWrite_FileRotatedAway_Reopened()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "m.jsonl");
        var rotated = Path.Combine(_directory, "m.jsonl.1");
        await using var writer = new MismatchLogWriter(() => path, _metrics, NullLogger.Instance);
        writer.TryWrite(MismatchRecordTests.Sample(path: "/before"));
        await writer.FlushAsync();

        File.Move(path, rotated);
        writer.TryWrite(MismatchRecordTests.Sample(path: "/after"));
        await writer.FlushAsync();

        Assert.Contains("/before", Assert.Single(await File.ReadAllLinesAsync(rotated)));
        Assert.Contains("/after", Assert.Single(await File.ReadAllLinesAsync(path)));
    }

    [Fact]
    public async Task TryWrite_PathChanged_NextRecordsGoToTheNewFile()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "a.jsonl");
        await using var writer = new MismatchLogWriter(() => path, _metrics, NullLogger.Instance);
        writer.TryWrite(MismatchRecordTests.Sample(path: "/a"));
        await writer.FlushAsync();
        path = Path.Combine(_directory, "b.jsonl");
        writer.TryWrite(MismatchRecordTests.Sample(path: "/b"));
        await writer.FlushAsync();

        Assert.Contains("/a", Assert.Single(await File.ReadAllLinesAsync(Path.Combine(_directory, "a.jsonl"))));
        Assert.Contains("/b", Assert.Single(await File.ReadAllLinesAsync(path)));
    }

    [Fact]
    public async Task TryWrite_NoPath_NothingQueued()
    {
        await using var writer = new MismatchLogWriter(() => null, _metrics, NullLogger.Instance);
        Assert.False(writer.TryWrite(MismatchRecordTests.Sample()));
    }

    [Fact]
    public async Task TryWrite_Unwritable_DroppedCountedNeverThrows()
    {
        Directory.CreateDirectory(_directory);
        using var exposition = new ExporterForMeter(CompareMetrics.MeterName);
        using var metrics = new CompareMetrics();
        // A directory where the file should be: opening it fails.
        await using var writer = new MismatchLogWriter(() => _directory, metrics, NullLogger.Instance);
        Assert.True(writer.TryWrite(MismatchRecordTests.Sample()));
        await writer.FlushAsync();
        Assert.Contains("mirrorgate_mirror_compare_log_dropped_total", exposition.Render());
    }

    [Fact]
    public async Task TryWrite_QueueFull_ReturnsAtOnceAndCounts()
    {
        var path = Path.Combine(_directory, "full.jsonl");
        await using var writer = new MismatchLogWriter(() => path, _metrics, NullLogger.Instance);
        var record = MismatchRecordTests.Sample();
        var accepted = 0;
        var refused = 0;
        for (var i = 0; i < MismatchLogWriter.QueueCapacity * 4; i++)
        {
            if (writer.TryWrite(record))
            {
                accepted++;
            }
            else
            {
                refused++;
            }
        }

        await writer.FlushAsync();
        Assert.Equal(MismatchLogWriter.QueueCapacity * 4, accepted + refused);
        Assert.Equal(accepted, (await File.ReadAllLinesAsync(path)).Length);
    }

    /// <summary>An exporter of one meter name, for instruments created without a factory.</summary>
    private sealed class ExporterForMeter(string name) : IDisposable
    {
        private readonly MirrorGate.Observability.PrometheusExporter _exporter = new(name);

        public string Render() => _exporter.Render();

        public void Dispose() => _exporter.Dispose();
    }
}

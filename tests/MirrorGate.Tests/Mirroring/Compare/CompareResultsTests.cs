using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Observability;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class CompareResultsTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly PrometheusExporter _exporter;
    private readonly CompareMetrics _metrics;

    public CompareResultsTests()
    {
        // A meter factory of its own: the exporter sees only this test's instruments.
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(scope: factory);
        _metrics = new CompareMetrics(factory);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _metrics.Dispose();
        _services.Dispose();
    }

    private static CompareOutcome Outcome(CompareResult result) => new()
    {
        Result = result,
        Differences = [],
        DifferenceCount = result == CompareResult.Mismatch ? 1 : 0,
        NoiseCount = result == CompareResult.Noise ? 1 : 0,
        BodyComparison = "bytes",
    };

    [Fact]
    public void Record_EachResult_PrometheusCounterByRouteTargetResult()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        results.Record("1", "v2", Outcome(CompareResult.Match), null);
        results.Record("1", "v2", Outcome(CompareResult.Match), null);
        results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample());
        results.Record("1", "v2", Outcome(CompareResult.Noise), null);
        results.Skipped("1", "v2", CompareResults.SkipReasons.Budget);
        results.Skipped("2", "canary", CompareResults.SkipReasons.NoAnswer);

        var text = _exporter.Render();
        Assert.Contains("# TYPE mirrorgate_mirror_compare_total counter\n", text);
        Assert.Contains("mirrorgate_mirror_compare_total{result=\"match\",route=\"1\",target=\"v2\"} 2\n", text);
        Assert.Contains("mirrorgate_mirror_compare_total{result=\"mismatch\",route=\"1\",target=\"v2\"} 1\n", text);
        Assert.Contains("mirrorgate_mirror_compare_total{result=\"noise\",route=\"1\",target=\"v2\"} 1\n", text);
        Assert.Contains("mirrorgate_mirror_compare_total{result=\"skipped\",route=\"1\",target=\"v2\"} 1\n", text);
        Assert.Contains("mirrorgate_mirror_compare_total{result=\"skipped\",route=\"2\",target=\"canary\"} 1\n", text);
        Assert.Contains("mirrorgate_mirror_compare_skipped_total{reason=\"budget\",route=\"1\",target=\"v2\"} 1\n", text);
        Assert.Contains("mirrorgate_mirror_compare_skipped_total{reason=\"no_answer\",route=\"2\",target=\"canary\"} 1\n", text);
    }

    [Fact]
    public void Budget_Gauge_Exposed()
    {
        var budget = new CompareBudget(() => 1000, _metrics);
        Assert.True(budget.TryReserve(300));
        Assert.Contains("mirrorgate_mirror_compare_buffered_bytes 300\n", _exporter.Render());
    }

    [Fact]
    public void Record_Counts_InTheView()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        results.Record("1", "v2", Outcome(CompareResult.Match), null);
        results.Record("1", "v2", Outcome(CompareResult.Noise), null);
        results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample());
        results.Skipped("1", "v2", CompareResults.SkipReasons.PrimaryIncomplete);

        var view = Assert.Single(results.Views());
        Assert.Equal(("1", "v2", 1L, 1L, 1L, 1L), (view.RouteId, view.Target, view.Match, view.Mismatch, view.Noise, view.Skipped));
        Assert.Single(view.Mismatches);
    }

    [Fact]
    public void Record_BeyondKeep_OldestDroppedNewestFirst()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        for (var i = 0; i < 10; i++)
        {
            results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample(path: $"/{i}"), keepMismatches: 3);
        }

        var view = Assert.Single(results.Views());
        Assert.Equal(["/9", "/8", "/7"], view.Mismatches.Select(m => m.Request.Path));
        Assert.Equal(10, view.Mismatch);
    }

    [Fact]
    public void Record_KeepChanged_RingResizedKeepingNewest()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        for (var i = 0; i < 5; i++)
        {
            results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample(path: $"/{i}"), keepMismatches: 5);
        }

        results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample(path: "/5"), keepMismatches: 2);
        Assert.Equal(["/5", "/4"], Assert.Single(results.Views()).Mismatches.Select(m => m.Request.Path));

        results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample(path: "/6"), keepMismatches: 4);
        results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample(path: "/7"), keepMismatches: 4);
        Assert.Equal(["/7", "/6", "/5", "/4"], Assert.Single(results.Views()).Mismatches.Select(m => m.Request.Path));

        results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample(path: "/8"), keepMismatches: 0);
        Assert.Empty(Assert.Single(results.Views()).Mismatches);
    }

    [Fact]
    public void Views_FilteredByRouteAndTarget_Sorted()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        results.Record("b", "t2", Outcome(CompareResult.Match), null);
        results.Record("b", "t1", Outcome(CompareResult.Match), null);
        results.Record("a", "t1", Outcome(CompareResult.Match), null);

        Assert.Equal(["a/t1", "b/t1", "b/t2"], results.Views().Select(v => $"{v.RouteId}/{v.Target}"));
        Assert.Equal(["b/t1", "b/t2"], results.Views("b").Select(v => $"{v.RouteId}/{v.Target}"));
        Assert.Equal(["b/t2"], results.Views("b", "t2").Select(v => $"{v.RouteId}/{v.Target}"));
        Assert.Empty(results.Views("c"));
    }

    [Fact]
    public void Clear_OneRouteOrAll()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        results.Record("a", "t1", Outcome(CompareResult.Match), null);
        results.Record("a", "t2", Outcome(CompareResult.Match), null);
        results.Record("b", "t1", Outcome(CompareResult.Match), null);

        Assert.Equal(1, results.Clear("a", "t2"));
        Assert.Equal(["a/t1", "b/t1"], results.Views().Select(v => $"{v.RouteId}/{v.Target}"));
        Assert.Equal(1, results.Clear("a"));
        Assert.Equal(1, results.Clear());
        Assert.Empty(results.Views());
    }

    [Fact]
    public void Retain_GoneRoutes_Dropped()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        results.Record("a", "t1", Outcome(CompareResult.Match), null);
        results.Record("b", "t1", Outcome(CompareResult.Match), null);
        results.Retain((route, target) => route == "b");
        Assert.Equal("b", Assert.Single(results.Views()).RouteId);
    }

    [Fact]
    public void Record_AfterRetainLetItGo_CountedButNotKeptAgain()
    {
        var results = new CompareResults(_metrics, TimeProvider.System);
        results.Record("a", "t1", Outcome(CompareResult.Match), null);
        results.Retain((route, target) => route == "b");

        // A comparison that finishes after its route stopped comparing.
        results.Record("a", "t1", Outcome(CompareResult.Mismatch), null);
        results.Skipped("a", "t1", CompareResults.SkipReasons.NoAnswer);
        results.Record("b", "t1", Outcome(CompareResult.Match), null);

        Assert.Equal("b", Assert.Single(results.Views()).RouteId);
        Assert.Contains("mirrorgate_mirror_compare_total{result=\"mismatch\",route=\"a\",target=\"t1\"} 1", _exporter.Render());
    }

    [Fact]
    public void Record_ManyPairs_BoundedDroppingLeastRecentlyUsed()
    {
        var time = new ManualTime();
        var results = new CompareResults(_metrics, time);
        for (var i = 0; i < CompareResults.MaxRings + 10; i++)
        {
            time.Tick();
            results.Record($"r{i}", "t", Outcome(CompareResult.Match), null);
            if (i == 20)
            {
                time.Tick();
                results.Record("r0", "t", Outcome(CompareResult.Match), null); // r0 used again: kept
            }
        }

        var views = results.Views();
        Assert.Equal(CompareResults.MaxRings, views.Count);
        Assert.Contains(views, v => v.RouteId == "r0");
        Assert.DoesNotContain(views, v => v.RouteId == "r1");
        Assert.Contains(views, v => v.RouteId == $"r{CompareResults.MaxRings + 9}");
    }

    [Fact]
    public async Task Record_WithLog_MismatchWrittenAsJsonLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mirrorgate-compare-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using var writer = new MismatchLogWriter(() => path, _metrics, NullLogger.Instance);
            var results = new CompareResults(_metrics, TimeProvider.System, writer);
            results.Record("1", "v2", Outcome(CompareResult.Mismatch), MismatchRecordTests.Sample());
            results.Record("1", "v2", Outcome(CompareResult.Match), null);
            await writer.FlushAsync();
            Assert.Equal([MismatchRecordTests.Sample().ToJson()], await File.ReadAllLinesAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        private long _now;

        public void Tick() => _now++;

        public override long GetTimestamp() => _now;
    }
}

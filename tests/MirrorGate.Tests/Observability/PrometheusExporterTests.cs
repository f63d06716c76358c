using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MirrorGate.Tests.Observability;

public sealed class PrometheusExporterTests
{
    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    [Fact]
    public void Render_CounterWithTwoTagSets_WritesHelpTypeAndSortedSeries()
    {
        using var m = new MeterUnderTest();
        var counter = m.Meter.CreateCounter<long>("mirrorgate.test.requests", description: "Requests seen.");

        counter.Add(1, Tag("route", "2"));
        counter.Add(2, Tag("route", "1"));
        counter.Add(1, Tag("route", "1"));

        Assert.Equal(
            "# HELP mirrorgate_test_requests_total Requests seen.\n" +
            "# TYPE mirrorgate_test_requests_total counter\n" +
            "mirrorgate_test_requests_total{route=\"1\"} 3\n" +
            "mirrorgate_test_requests_total{route=\"2\"} 1\n",
            m.Render());
    }

    [Fact]
    public void Render_CounterWithoutTags_WritesNoBraces()
    {
        using var m = new MeterUnderTest();
        var counter = m.Meter.CreateCounter<long>("mirrorgate.test.plain");

        counter.Add(5);

        Assert.Equal(
            "# TYPE mirrorgate_test_plain_total counter\n" +
            "mirrorgate_test_plain_total 5\n",
            m.Render());
    }

    [Fact]
    public void Render_CounterNameEndingInTotal_IsNotDoubled()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.bytes-sent.total").Add(7);

        Assert.Equal(
            "# TYPE mirrorgate_bytes_sent_total counter\n" +
            "mirrorgate_bytes_sent_total 7\n",
            m.Render());
    }

    [Fact]
    public void Render_LargeLongCounter_PrintsWithoutExponent()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.big").Add(123_456_789_012_345_678);

        Assert.Contains("mirrorgate_test_big_total 123456789012345678\n", m.Render());
    }

    [Fact]
    public void Render_DoubleCounter_PrintsInvariantShortestForm()
    {
        using var m = new MeterUnderTest();
        var counter = m.Meter.CreateCounter<double>("mirrorgate.test.seconds");

        counter.Add(0.5);
        counter.Add(0.25);

        Assert.Equal(
            "# TYPE mirrorgate_test_seconds_total counter\n" +
            "mirrorgate_test_seconds_total 0.75\n",
            m.Render());
    }

    [Fact]
    public void Render_TagsGivenInAnyOrder_FormOneSeriesSortedByKey()
    {
        using var m = new MeterUnderTest();
        var counter = m.Meter.CreateCounter<long>("mirrorgate.test.ordered");

        counter.Add(1, Tag("target", "t"), Tag("route", "r"));
        counter.Add(1, Tag("route", "r"), Tag("target", "t"));
        counter.Add(1, new TagList { { "target", "t" }, { "route", "r" } });

        Assert.Equal(
            "# TYPE mirrorgate_test_ordered_total counter\n" +
            "mirrorgate_test_ordered_total{route=\"r\",target=\"t\"} 3\n",
            m.Render());
    }

    [Fact]
    public void Render_RepeatedTagKey_LastValueWinsAndDoesNotMatchOtherSets()
    {
        using var m = new MeterUnderTest();
        var counter = m.Meter.CreateCounter<long>("mirrorgate.test.dup");

        counter.Add(1, Tag("a", "1"), Tag("b", "2"));
        counter.Add(10, Tag("a", "1"), Tag("a", "1"));
        counter.Add(100, Tag("a", "0"), Tag("a", "1"));

        Assert.Equal(
            "# TYPE mirrorgate_test_dup_total counter\n" +
            "mirrorgate_test_dup_total{a=\"1\"} 110\n" +
            "mirrorgate_test_dup_total{a=\"1\",b=\"2\"} 1\n",
            m.Render());
    }

    [Fact]
    public void Render_LabelValueWithSpecialCharacters_IsEscaped()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.escape").Add(1, Tag("path", "a\\b\"c\nd"));

        Assert.Contains("mirrorgate_test_escape_total{path=\"a\\\\b\\\"c\\nd\"} 1\n", m.Render());
    }

    [Fact]
    public void Render_HelpWithBackslashAndNewline_IsEscaped()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.help", description: "line1\nC:\\x \"quoted\"").Add(1);

        Assert.StartsWith("# HELP mirrorgate_test_help_total line1\\nC:\\\\x \"quoted\"\n", m.Render());
    }

    [Fact]
    public void Render_NonStringTagValues_FormatInvariantly()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.types").Add(
            1, Tag("code", 200), Tag("ok", true), Tag("ratio", 0.5), Tag("none", null));

        Assert.Contains("mirrorgate_test_types_total{code=\"200\",none=\"\",ok=\"true\",ratio=\"0.5\"} 1\n", m.Render());
    }

    [Fact]
    public void Render_InvalidCharactersInNames_BecomeUnderscores()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test/odd-name").Add(1, Tag("http.status-class", "2xx"));

        Assert.Contains("mirrorgate_test_odd_name_total{http_status_class=\"2xx\"} 1\n", m.Render());
    }

    [Fact]
    public void Render_UpDownCounter_IsGaugeWithNetSum()
    {
        using var m = new MeterUnderTest();
        var inFlight = m.Meter.CreateUpDownCounter<long>("mirrorgate.test.in_flight", description: "Mirrors in flight.");

        inFlight.Add(3, Tag("target", "a"));
        inFlight.Add(-2, Tag("target", "a"));
        inFlight.Add(-1, Tag("target", "b"));

        Assert.Equal(
            "# HELP mirrorgate_test_in_flight Mirrors in flight.\n" +
            "# TYPE mirrorgate_test_in_flight gauge\n" +
            "mirrorgate_test_in_flight{target=\"a\"} 1\n" +
            "mirrorgate_test_in_flight{target=\"b\"} -1\n",
            m.Render());
    }

    [Fact]
    public void Render_Gauge_KeepsLastValue()
    {
        using var m = new MeterUnderTest();
        var gauge = m.Meter.CreateGauge<double>("mirrorgate.test.last");

        gauge.Record(4.5);
        gauge.Record(2.25);

        Assert.Equal(
            "# TYPE mirrorgate_test_last gauge\n" +
            "mirrorgate_test_last 2.25\n",
            m.Render());
    }

    [Fact]
    public void Render_ObservableGauge_IsCollectedAtEachScrape()
    {
        using var m = new MeterUnderTest();
        var depth = 3;
        m.Meter.CreateObservableGauge(
            "mirrorgate.test.queue_depth",
            () => new[] { new Measurement<int>(depth, Tag("queue", "mirror")) },
            description: "Queued mirrors.");

        var first = m.Render();
        depth = 7;
        var second = m.Render();

        Assert.Equal(
            "# HELP mirrorgate_test_queue_depth Queued mirrors.\n" +
            "# TYPE mirrorgate_test_queue_depth gauge\n" +
            "mirrorgate_test_queue_depth{queue=\"mirror\"} 3\n",
            first);
        Assert.Contains("mirrorgate_test_queue_depth{queue=\"mirror\"} 7\n", second);
    }

    [Fact]
    public void Render_ObservableGaugeStopsReportingTagSet_SeriesDisappears()
    {
        using var m = new MeterUnderTest();
        var targets = new List<string> { "a", "b" };
        m.Meter.CreateObservableGauge(
            "mirrorgate.test.targets",
            () => targets.Select(t => new Measurement<long>(1, Tag("target", t))).ToArray());

        m.Render();
        targets.Remove("a");

        Assert.Equal(
            "# TYPE mirrorgate_test_targets gauge\n" +
            "mirrorgate_test_targets{target=\"b\"} 1\n",
            m.Render());
    }

    [Fact]
    public void Render_ObservableCounter_ReportsObservedTotalNotSumOfScrapes()
    {
        using var m = new MeterUnderTest();
        long total = 10;
        m.Meter.CreateObservableCounter("mirrorgate.test.observed", () => total);

        m.Render();
        total = 15;

        Assert.Equal(
            "# TYPE mirrorgate_test_observed_total counter\n" +
            "mirrorgate_test_observed_total 15\n",
            m.Render());
    }

    [Fact]
    public void Render_ObservableUpDownCounter_IsGauge()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateObservableUpDownCounter("mirrorgate.test.balance", () => -4.5);

        Assert.Equal(
            "# TYPE mirrorgate_test_balance gauge\n" +
            "mirrorgate_test_balance -4.5\n",
            m.Render());
    }

    [Fact]
    public void Render_ObservableCallbackThrows_OtherInstrumentsStillRendered()
    {
        using var m = new MeterUnderTest();
        Func<long> broken = () => throw new InvalidOperationException("boom");
        m.Meter.CreateObservableGauge("mirrorgate.test.broken", broken);
        m.Meter.CreateObservableGauge("mirrorgate.test.fine", () => 1L);

        Assert.Equal(
            "# TYPE mirrorgate_test_fine gauge\n" +
            "mirrorgate_test_fine 1\n",
            m.Render());
    }

    [Fact]
    public void Render_HistogramWithAdvice_WritesCumulativeBucketsSumAndCount()
    {
        using var m = new MeterUnderTest();
        var histogram = m.Meter.CreateHistogram<double>(
            "mirrorgate.test.latency",
            unit: "s",
            description: "Latency.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1] });

        histogram.Record(0.05, Tag("route", "1"));
        histogram.Record(0.1, Tag("route", "1"));
        histogram.Record(0.7, Tag("route", "1"));
        histogram.Record(3, Tag("route", "1"));

        Assert.Equal(
            "# HELP mirrorgate_test_latency Latency.\n" +
            "# TYPE mirrorgate_test_latency histogram\n" +
            "mirrorgate_test_latency_bucket{route=\"1\",le=\"0.1\"} 2\n" +
            "mirrorgate_test_latency_bucket{route=\"1\",le=\"0.5\"} 2\n" +
            "mirrorgate_test_latency_bucket{route=\"1\",le=\"1\"} 3\n" +
            "mirrorgate_test_latency_bucket{route=\"1\",le=\"+Inf\"} 4\n" +
            "mirrorgate_test_latency_sum{route=\"1\"} 3.85\n" +
            "mirrorgate_test_latency_count{route=\"1\"} 4\n",
            m.Render());
    }

    [Fact]
    public void Render_HistogramWithoutAdvice_UsesDefaultSecondsBuckets()
    {
        using var m = new MeterUnderTest();
        var histogram = m.Meter.CreateHistogram<double>("mirrorgate.test.default");

        histogram.Record(0.003);
        histogram.Record(45);

        var text = m.Render();

        var expectedBounds = new[] { "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "+Inf" };
        var expectedCounts = new[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2 };
        var expected = "# TYPE mirrorgate_test_default histogram\n" +
            string.Concat(expectedBounds.Zip(expectedCounts, (b, c) => $"mirrorgate_test_default_bucket{{le=\"{b}\"}} {c}\n")) +
            "mirrorgate_test_default_sum 45.003\n" +
            "mirrorgate_test_default_count 2\n";
        Assert.Equal(expected, text);
    }

    [Fact]
    public void Render_HistogramBuckets_AreCumulativeAndNonDecreasing()
    {
        using var m = new MeterUnderTest();
        var histogram = m.Meter.CreateHistogram<double>("mirrorgate.test.cumulative");
        var random = new Random(42);
        for (var i = 0; i < 1000; i++)
        {
            histogram.Record(random.NextDouble() * 100);
        }

        var counts = m.Render().Split('\n')
            .Where(l => l.StartsWith("mirrorgate_test_cumulative_bucket", StringComparison.Ordinal))
            .Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();

        Assert.Equal(16, counts.Length);
        Assert.True(counts.Zip(counts.Skip(1)).All(p => p.First <= p.Second));
        Assert.Equal(1000, counts[^1]);
    }

    [Fact]
    public void Render_LongHistogram_UsesItsIntegerAdvice()
    {
        using var m = new MeterUnderTest();
        var histogram = m.Meter.CreateHistogram<long>(
            "mirrorgate.test.body_bytes", unit: "By", description: null, tags: null,
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1024, 1048576] });

        histogram.Record(2000);

        Assert.Equal(
            "# TYPE mirrorgate_test_body_bytes histogram\n" +
            "mirrorgate_test_body_bytes_bucket{le=\"1024\"} 0\n" +
            "mirrorgate_test_body_bytes_bucket{le=\"1048576\"} 1\n" +
            "mirrorgate_test_body_bytes_bucket{le=\"+Inf\"} 1\n" +
            "mirrorgate_test_body_bytes_sum 2000\n" +
            "mirrorgate_test_body_bytes_count 1\n",
            m.Render());
    }

    [Fact]
    public void Render_SeveralInstruments_FamiliesSortedByName()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.z").Add(1);
        m.Meter.CreateUpDownCounter<long>("mirrorgate.a").Add(2);
        m.Meter.CreateCounter<long>("mirrorgate.m").Add(3);

        Assert.Equal(
            "# TYPE mirrorgate_a gauge\n" +
            "mirrorgate_a 2\n" +
            "# TYPE mirrorgate_m_total counter\n" +
            "mirrorgate_m_total 3\n" +
            "# TYPE mirrorgate_z_total counter\n" +
            "mirrorgate_z_total 1\n",
            m.Render());
    }

    [Fact]
    public void Render_InstrumentWithoutMeasurements_IsOmitted()
    {
        using var m = new MeterUnderTest();
        m.Meter.CreateCounter<long>("mirrorgate.test.unused");

        Assert.Equal(string.Empty, m.Render());
    }

    [Fact]
    public void Render_MeterOutsidePrefix_IsIgnored()
    {
        using var m = new MeterUnderTest();
        using var other = new Meter("Other.Test." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("mirrorgate.test.other").Add(1);

        Assert.Equal(string.Empty, m.Render());
    }

    [Fact]
    public void Render_MeterDisposed_ItsSeriesDisappear()
    {
        using var m = new MeterUnderTest();
        using var second = new Meter(m.Meter.Name + ".second");
        second.CreateCounter<long>("mirrorgate.test.gone").Add(1);
        m.Meter.CreateCounter<long>("mirrorgate.test.kept").Add(1);

        second.Dispose();

        Assert.Equal(
            "# TYPE mirrorgate_test_kept_total counter\n" +
            "mirrorgate_test_kept_total 1\n",
            m.Render());
    }

    [Fact]
    public void Render_TwoMetersSameInstrumentName_MergedIntoOneFamily()
    {
        using var m = new MeterUnderTest();
        using var twin = new Meter(m.Meter.Name);
        m.Meter.CreateCounter<long>("mirrorgate.test.shared", description: "Shared.").Add(1, Tag("node", "a"));
        twin.CreateCounter<long>("mirrorgate.test.shared", description: "Shared.").Add(2, Tag("node", "b"));

        Assert.Equal(
            "# HELP mirrorgate_test_shared_total Shared.\n" +
            "# TYPE mirrorgate_test_shared_total counter\n" +
            "mirrorgate_test_shared_total{node=\"a\"} 1\n" +
            "mirrorgate_test_shared_total{node=\"b\"} 2\n",
            m.Render());
    }

    [Fact]
    public void Add_ManyThreadsOnTwoTagSets_TotalsAreExact()
    {
        using var m = new MeterUnderTest();
        var longCounter = m.Meter.CreateCounter<long>("mirrorgate.test.concurrent");
        var doubleCounter = m.Meter.CreateCounter<double>("mirrorgate.test.concurrent_d");
        var histogram = m.Meter.CreateHistogram<double>("mirrorgate.test.concurrent_h");
        const int threads = 8;
        const int perThread = 50_000;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var tag = Tag("route", (t % 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
            for (var i = 0; i < perThread; i++)
            {
                longCounter.Add(1, tag);
                doubleCounter.Add(0.5, tag);
                histogram.Record(0.01, tag);
            }
        });

        var text = m.Render();
        const int perTagSet = threads / 2 * perThread;
        Assert.Contains($"mirrorgate_test_concurrent_total{{route=\"0\"}} {perTagSet}\n", text);
        Assert.Contains($"mirrorgate_test_concurrent_total{{route=\"1\"}} {perTagSet}\n", text);
        Assert.Contains($"mirrorgate_test_concurrent_d_total{{route=\"0\"}} {perTagSet / 2}\n", text);
        Assert.Contains($"mirrorgate_test_concurrent_d_total{{route=\"1\"}} {perTagSet / 2}\n", text);
        Assert.Contains($"mirrorgate_test_concurrent_h_count{{route=\"0\"}} {perTagSet}\n", text);
        Assert.Contains($"mirrorgate_test_concurrent_h_bucket{{route=\"1\",le=\"0.01\"}} {perTagSet}\n", text);
    }

    [Fact]
    public void Add_RepeatedTagSetAfterWarmUp_AllocatesNothing()
    {
        using var m = new MeterUnderTest();
        var counter = m.Meter.CreateCounter<long>("mirrorgate.test.alloc");
        var doubleCounter = m.Meter.CreateCounter<double>("mirrorgate.test.alloc_d");
        var upDown = m.Meter.CreateUpDownCounter<long>("mirrorgate.test.alloc_ud");
        var histogram = m.Meter.CreateHistogram<double>("mirrorgate.test.alloc_h");
        var route = Tag("route", "r1");
        var target = Tag("target", "http://mirror:8080");
        var outcome = Tag("outcome", "sent");
        object status = 200;
        var statusTag = Tag("status", status);

        void RecordAll()
        {
            counter.Add(1, route);
            counter.Add(1, route, target);
            counter.Add(1, target, route, outcome);
            counter.Add(1, new TagList { route, target, outcome, statusTag });
            doubleCounter.Add(0.5, route, target);
            upDown.Add(1, route);
            upDown.Add(-1, route);
            histogram.Record(0.02, route, target);
        }

        for (var i = 0; i < 100; i++)
        {
            RecordAll();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            RecordAll();
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains("mirrorgate_test_alloc_total{route=\"r1\"} 1100\n", m.Render());
    }
}

using System.Diagnostics.Metrics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.Mirroring.Compare;
using MirrorGate.Observability;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class PendingComparisonTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusExporter _exporter;
    private readonly CompareMetrics _metrics;
    private readonly CompareResults _results;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PendingComparisonTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(scope: factory);
        _metrics = new CompareMetrics(factory);
        _results = new CompareResults(_metrics, TimeProvider.System);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _metrics.Dispose();
        _services.Dispose();
    }

    private void AssertSkipped(string reason)
        => Assert.Contains($"mirrorgate_mirror_compare_skipped_total{{reason=\"{reason}\",route=\"1\",target=\"v2\"}} 1\n", _exporter.Render());

    private PendingComparison Start(CompareBudget budget, string options = "{}")
        => new(_results, budget, CompareOptions.FromJson((JsonObject)JsonNode.Parse(options)!), TimeProvider.System,
            "1", "v2", "GET", "/items?x=1", () => _finished.SetResult());

    private async Task<MismatchRingView> ViewAsync()
    {
        await _finished.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return Assert.Single(_results.Views());
    }

    [Fact]
    public async Task AllAnswers_AnyOrder_ComparedRecordedAndBudgetReturned()
    {
        var budget = new CompareBudget(() => 1 << 20);
        var pending = Start(budget);
        pending.Candidate.OnAnswer(Answers.Json("""{"a":2}"""));
        Assert.True(budget.Used > 0);
        pending.OnPrimary(Answers.Json("""{"a":1}"""));

        var view = await ViewAsync();
        Assert.Equal(1, view.Mismatch);
        var record = Assert.Single(view.Mismatches);
        Assert.Equal(("GET", "/items?x=1", "$.a"), (record.Request.Method, record.Request.Path, record.Differences[0].Location));
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public async Task Match_CountedNoRecord()
    {
        var budget = new CompareBudget(() => 1 << 20);
        var pending = Start(budget);
        pending.OnPrimary(Answers.Json("""{"a":1}"""));
        pending.Candidate.OnAnswer(Answers.Json("""{"a":1}"""));
        var view = await ViewAsync();
        Assert.Equal((1L, 0L), (view.Match, view.Mismatch));
        Assert.Empty(view.Mismatches);
    }

    [Fact]
    public async Task WithNoise_WaitsForThreeAnswers_NoiseCancelled()
    {
        var budget = new CompareBudget(() => 1 << 20);
        var pending = Start(budget, """{"noise_host":"http://127.0.0.1:9002"}""");
        Assert.NotNull(pending.Noise);
        pending.OnPrimary(Answers.Json("""{"now":1}"""));
        pending.Candidate.OnAnswer(Answers.Json("""{"now":3}"""));
        Assert.False(_finished.Task.IsCompleted);
        pending.Noise!.OnAnswer(Answers.Json("""{"now":2}"""));
        var view = await ViewAsync();
        Assert.Equal(1, view.Noise);
        Assert.Equal(0, budget.Used);
    }

    [Theory]
    [InlineData("primary", "primary_incomplete")]
    [InlineData("candidate", "no_answer")]
    [InlineData("noise", "noise_no_answer")]
    public async Task PartMissing_SkippedWithItsReason(string missing, string reason)
    {
        var budget = new CompareBudget(() => 1 << 20);
        var pending = Start(budget, """{"noise_host":"http://127.0.0.1:9002"}""");
        if (missing == "primary") pending.OnPrimaryIncomplete(); else pending.OnPrimary(Answers.Json("{}"));
        if (missing == "candidate") pending.Candidate.OnNoAnswer("connect"); else pending.Candidate.OnAnswer(Answers.Json("{}"));
        if (missing == "noise") pending.Noise!.OnNoAnswer("queue_full"); else pending.Noise!.OnAnswer(Answers.Json("{}"));

        var view = await ViewAsync();
        Assert.Equal(1, view.Skipped);
        Assert.Equal(0, view.Match + view.Mismatch + view.Noise);
        Assert.Equal(0, budget.Used);
        AssertSkipped(reason);
    }

    [Fact]
    public async Task OverBudget_SkippedAndNothingHeld()
    {
        var budget = new CompareBudget(() => 10);
        var pending = Start(budget);
        pending.OnPrimary(Answers.Json("""{"a":"this body is larger than ten bytes"}"""));
        Assert.Equal(0, budget.Used);
        pending.Candidate.OnAnswer(Answers.Json("{}"));
        var view = await ViewAsync();
        Assert.Equal(1, view.Skipped);
        Assert.Equal(0, budget.Used);
        AssertSkipped("budget");
    }

    [Fact]
    public async Task SettledTwice_SecondIgnored()
    {
        var budget = new CompareBudget(() => 1 << 20);
        var pending = Start(budget);
        pending.Candidate.OnAnswer(Answers.Json("{}"));
        pending.Candidate.OnNoAnswer("timeout");
        Assert.False(_finished.Task.IsCompleted);
        pending.OnPrimary(Answers.Json("{}"));
        Assert.Equal(1, (await ViewAsync()).Match);
    }

    [Fact]
    public void Sinks_KeepBodyBytesOfTheBlock()
    {
        var pending = Start(new CompareBudget(() => 1), """{"body_bytes":1000}""");
        Assert.Equal(1000, pending.Candidate.MaxBodyBytes);
        Assert.Null(pending.Noise);
    }
}

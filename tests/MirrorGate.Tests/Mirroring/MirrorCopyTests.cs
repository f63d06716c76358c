using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>
/// A copy's life: every outcome is counted once, whoever reports it and however often, with
/// the queue and in-flight accounting of the stage it left; a written copy goes back to the
/// queue only when declined, once.
/// </summary>
public sealed class MirrorCopyTests : IDisposable
{
    private readonly MirrorMetrics _metrics = new();
    private readonly MirrorOutcomes _outcomes;
    private readonly MirrorMemoryBudget _budget = new(() => 1L << 30);
    private readonly MirrorLoad _load = new();
    private readonly MirrorLaneContext _context;

    public MirrorCopyTests()
    {
        _outcomes = new MirrorOutcomes(_metrics);
        _context = new MirrorLaneContext(() => ProxyMirrorSettings.Default, TimeProvider.System, _load, new MirrorFailureLog(TimeProvider.System, NullLogger.Instance));
    }

    [Fact]
    public void Settle_ReportedTwiceByDifferentParties_CountedOnceAndBodyReleasedOnce()
    {
        var copy = Queued(withBody: true);
        Assert.True(copy.MarkWritten(Now));

        copy.Answered(200, Now);
        copy.Fail(MirrorReasons.Timeout, "the sweep came second");
        copy.Drop(MirrorReasons.Shutdown);
        copy.Answered(200, Now);

        Assert.Equal(1, _outcomes.Total);
        Assert.Equal(1, _outcomes.SentWith("2xx"));
        Assert.True(copy.IsSettled);
        Assert.Equal(0, _budget.Used);
        Assert.Equal((0, 0), (_load.Queued, _load.InFlight));
    }

    [Fact]
    public void Settle_FromEachStage_UndoesThatStagesAccounting()
    {
        var queued = Queued(withBody: false);
        var written = Queued(withBody: false);
        Assert.True(written.MarkWritten(Now));
        Assert.Equal((1, 1), (_load.Queued, _load.InFlight));

        queued.Drop(MirrorReasons.CircuitOpen);
        written.Fail(MirrorReasons.Error, "reset");

        Assert.Equal((0, 0), (_load.Queued, _load.InFlight));
        Assert.Equal(1, _outcomes.DroppedWith(MirrorReasons.CircuitOpen));
        Assert.Equal(1, _outcomes.FailedWith(MirrorReasons.Error));
    }

    [Fact]
    public void TryEnterQueue_QueueFull_LeftNewAndDropCountsWithoutTouchingTheQueue()
    {
        var first = Queued(withBody: false);
        var second = new MirrorCopy(Request(null), _context);

        Assert.False(second.TryEnterQueue(limit: 1));
        second.Drop(MirrorReasons.QueueFull);

        Assert.Equal(1, _load.Queued);
        Assert.Equal(1, _outcomes.DroppedWith(MirrorReasons.QueueFull));
        first.Drop(MirrorReasons.Shutdown);
        Assert.Equal(0, _load.Queued);
    }

    [Fact]
    public void Decline_WrittenCopy_BackInTheQueueUntilWrittenMaxAttemptsTimesThenFails()
    {
        var copy = Queued(withBody: false);
        for (var write = 1; write < MirrorCopy.MaxAttempts; write++)
        {
            Assert.True(copy.MarkWritten(Now));
            Assert.Equal(write, copy.Writes);
            Assert.True(copy.Decline());
            Assert.False(copy.IsWritten);
            Assert.True(copy.CanRequeue);
            Assert.Equal((1, 0), (_load.Queued, _load.InFlight));
        }

        Assert.True(copy.MarkWritten(Now));
        Assert.False(copy.Decline());
        copy.Fail(MirrorReasons.Error, "declined on every write");

        Assert.Equal(1, _outcomes.FailedWith(MirrorReasons.Error));
        Assert.Equal((0, 0), (_load.Queued, _load.InFlight));
    }

    [Fact]
    public void Unmark_MarkedCopyNeverHandedOver_QueuedAgainAndItsWriteNotCounted()
    {
        var copy = Queued(withBody: false);
        Assert.True(copy.MarkWritten(Now));

        copy.Unmark();

        Assert.False(copy.IsWritten);
        Assert.Equal(0, copy.Writes);
        Assert.True(copy.CanRequeue);
        Assert.Equal((1, 0), (_load.Queued, _load.InFlight));
        copy.Unmark();
        Assert.Equal((1, 0), (_load.Queued, _load.InFlight));
        Assert.True(copy.MarkWritten(Now));
        copy.Answered(200, Now);
        Assert.Equal((0, 0), (_load.Queued, _load.InFlight));
        Assert.Equal(1, _outcomes.SentWith("2xx"));
    }

    [Fact]
    public void MarkWritten_AfterSettled_RefusedSoNothingIsWritten()
    {
        var copy = Queued(withBody: true);
        copy.Drop(MirrorReasons.Shutdown);

        Assert.False(copy.MarkWritten(Now));
        Assert.False(copy.CanRequeue);
        Assert.Equal(0, _load.InFlight);
    }

    [Fact]
    public void CanRequeue_AfterMaxAttemptsFruitlessConnections_False()
    {
        var copy = Queued(withBody: false);
        copy.FruitlessConnections = MirrorCopy.MaxAttempts - 1;
        Assert.True(copy.CanRequeue);
        copy.FruitlessConnections = MirrorCopy.MaxAttempts;

        Assert.False(copy.CanRequeue);
    }

    [Fact]
    public void Fail_ConnectRefused_ReportedToTheCircuitOnceACopy()
    {
        var circuit = new MirrorCircuit("http://127.0.0.1:1", TimeProvider.System, NullLogger.Instance);
        for (var i = 0; i < MirrorCircuit.Threshold; i++)
        {
            var copy = Queued(withBody: false, circuit);
            copy.Fail(MirrorReasons.Connect, "refused");
            copy.Fail(MirrorReasons.Connect, "refused again: not counted");
            Assert.Equal(i < MirrorCircuit.Threshold - 1, circuit.AllowsRequest());
        }
    }

    public void Dispose()
    {
        _outcomes.Dispose();
        _metrics.Dispose();
    }

    private static long Now => TimeProvider.System.GetTimestamp();

    private MirrorCopy Queued(bool withBody, MirrorCircuit? circuit = null)
    {
        var copy = new MirrorCopy(Request(withBody ? 5000 : null, circuit), _context);
        Assert.True(copy.TryEnterQueue(limit: 100));
        return copy;
    }

    private MirrorRequest Request(int? bodyLength, MirrorCircuit? circuit = null)
        => TestRequests.Post(_metrics, _budget, "copy", bodyLength, "http://127.0.0.1:1", circuit: circuit);
}

using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring;

/// <summary>
/// A compared copy's sink hears of it exactly once, when it settles, after its accounting: the
/// answer when it was answered, the reason when it failed or was dropped; a declined copy is
/// told about its final send only; a sink that throws changes nothing of the copy's outcome.
/// </summary>
public sealed class MirrorCopySinkTests : IDisposable
{
    private static readonly CapturedResponse SomeAnswer = new() { Status = 201, Headers = [new("X-A", ["1"])], Body = "ok"u8.ToArray(), BodyLength = 2 };

    private readonly MirrorMetrics _metrics = new();
    private readonly MirrorOutcomes _outcomes;
    private readonly MirrorMemoryBudget _budget = new(() => 1L << 30);
    private readonly MirrorLoad _load = new();
    private readonly MirrorLaneContext _context;

    public MirrorCopySinkTests()
    {
        _outcomes = new MirrorOutcomes(_metrics);
        _context = new MirrorLaneContext(() => ProxyMirrorSettings.Default, TimeProvider.System, _load, new MirrorFailureLog(TimeProvider.System, NullLogger.Instance));
    }

    [Fact]
    public void Answered_ThenEveryOtherOutcome_SinkToldTheAnswerOnce()
    {
        var sink = new RecordingAnswerSink();
        var copy = Written(sink);

        copy.Answered(201, Now, SomeAnswer);
        copy.Fail(MirrorReasons.Timeout, "the sweep came second");
        copy.Drop(MirrorReasons.Shutdown);
        copy.Answered(200, Now, SomeAnswer);

        Assert.Same(SomeAnswer, sink.Answer);
    }

    [Theory]
    [InlineData(MirrorReasons.Error)]
    [InlineData(MirrorReasons.Timeout)]
    [InlineData(MirrorReasons.Connect)]
    [InlineData(MirrorReasons.Shutdown)]
    public void Fail_SinkToldTheReasonOnce(string reason)
    {
        var sink = new RecordingAnswerSink();
        var copy = Written(sink);

        copy.Fail(reason, "lost");
        copy.Answered(200, Now, SomeAnswer);

        Assert.Equal(reason, sink.NoAnswer);
    }

    [Fact]
    public void Drop_QueuedCopy_SinkToldTheReasonOnce()
    {
        var sink = new RecordingAnswerSink();
        var copy = new MirrorCopy(Request(sink), _context);
        Assert.True(copy.TryEnterQueue(limit: 100));

        copy.Drop(MirrorReasons.CircuitOpen);
        copy.Drop(MirrorReasons.Shutdown);

        Assert.Equal(MirrorReasons.CircuitOpen, sink.NoAnswer);
    }

    [Fact]
    public void Answered_LaneKeptNoAnswer_SinkToldNoAnswerWithTheLanesReason()
    {
        var plain = new RecordingAnswerSink();
        var tooLong = new RecordingAnswerSink();

        Written(plain).Answered(200, Now);
        Written(tooLong).Answered(200, Now, answer: null, unkept: MirrorReasons.BodyTooLarge);

        Assert.Equal(MirrorReasons.Error, plain.NoAnswer);
        Assert.Equal(MirrorReasons.BodyTooLarge, tooLong.NoAnswer);
        Assert.Equal(2, _outcomes.SentWith("2xx"));
    }

    [Fact]
    public void Decline_ThenAnsweredOnTheNextConnection_SinkToldOnceOfTheFinalAnswer()
    {
        var sink = new RecordingAnswerSink();
        var copy = Written(sink);

        Assert.True(copy.Decline());
        Assert.Empty(sink.Calls);
        Assert.True(copy.MarkWritten(Now));
        copy.Answered(201, Now, SomeAnswer);

        Assert.Same(SomeAnswer, sink.Answer);
    }

    [Fact]
    public void Decline_ThenFailed_SinkToldOnceOfTheFailure()
    {
        var sink = new RecordingAnswerSink();
        var copy = Written(sink);

        Assert.True(copy.Decline());
        Assert.True(copy.MarkWritten(Now));
        Assert.True(copy.Decline());
        Assert.True(copy.MarkWritten(Now));
        Assert.False(copy.Decline());
        copy.Fail(MirrorReasons.Error, "declined on every write");

        Assert.Equal(MirrorReasons.Error, sink.NoAnswer);
    }

    [Fact]
    public void SinkThrows_OutcomeCountedBodyReleasedNothingThrown()
    {
        var answered = new RecordingAnswerSink(throws: true);
        var failed = new RecordingAnswerSink(throws: true);
        var dropped = new RecordingAnswerSink(throws: true);
        var one = Written(answered, withBody: true);
        var two = Written(failed, withBody: true);
        var three = new MirrorCopy(Request(dropped, withBody: true), _context);
        Assert.True(three.TryEnterQueue(limit: 100));

        one.Answered(200, Now, SomeAnswer);
        two.Fail(MirrorReasons.Error, "reset");
        three.Drop(MirrorReasons.Shutdown);

        Assert.Same(SomeAnswer, answered.Answer);
        Assert.Equal(MirrorReasons.Error, failed.NoAnswer);
        Assert.Equal(MirrorReasons.Shutdown, dropped.NoAnswer);
        Assert.Equal((1, 1, 1), (_outcomes.Sent, _outcomes.Failed, _outcomes.Dropped));
        Assert.Equal((0, 0), (_load.Queued, _load.InFlight));
        Assert.Equal(0, _budget.Used);
    }

    [Fact]
    public void SinkTold_AfterTheOutcomeWasCounted()
    {
        var counted = -1L;
        var sink = new CallbackSink(() => counted = _outcomes.Total);

        Written(sink).Answered(200, Now, SomeAnswer);

        Assert.Equal(1, counted);
    }

    [Fact]
    public async Task Dispatcher_MirrorRefusesConnections_SinkToldConnectOnce()
    {
        var sink = new RecordingAnswerSink();
        await using var dispatcher = TestDispatcher.Create(ProxyMirrorSettings.Default, _metrics, _budget);

        Assert.True(dispatcher.TryEnqueue(TestRequests.Post(_metrics, _budget, "copy", 10, "http://127.0.0.1:1", sink: sink)));
        await RecordingAnswerSink.WaitAllToldAsync(sink);
        await _outcomes.WaitForTotalAsync(1);

        Assert.Equal(MirrorReasons.Connect, sink.NoAnswer);
    }

    [Fact]
    public async Task Dispatcher_QueueFull_SinkToldQueueFullOnce()
    {
        var sink = new RecordingAnswerSink();
        await using var dispatcher = TestDispatcher.Create(ProxyMirrorSettings.Default with { QueueSize = 0 }, _metrics, _budget);

        Assert.False(dispatcher.TryEnqueue(TestRequests.Post(_metrics, _budget, "copy", null, sink: sink)));

        Assert.Equal(MirrorReasons.QueueFull, sink.NoAnswer);
    }

    [Fact]
    public async Task PendingMirror_BodyAbandoned_CountedDroppedSinkToldOnce()
    {
        var sink = new RecordingAnswerSink();
        await using var dispatcher = TestDispatcher.Create(ProxyMirrorSettings.Default, _metrics, _budget);
        var pending = new PendingMirror(TestRequests.Post(_metrics, _budget, "copy", null, sink: sink), dispatcher, CancellationToken.None);

        pending.Drop(MirrorReasons.BodyIncomplete);

        Assert.Equal(MirrorReasons.BodyIncomplete, sink.NoAnswer);
        Assert.Equal(1, _outcomes.DroppedWith(MirrorReasons.BodyIncomplete));
        Assert.Equal(0, dispatcher.QueueLength);
    }

    public void Dispose()
    {
        _outcomes.Dispose();
        _metrics.Dispose();
    }

    private static long Now => TimeProvider.System.GetTimestamp();

    private MirrorCopy Written(IMirrorAnswerSink sink, bool withBody = false)
    {
        var copy = new MirrorCopy(Request(sink, withBody), _context);
        Assert.True(copy.TryEnterQueue(limit: 100));
        Assert.True(copy.MarkWritten(Now));
        return copy;
    }

    private MirrorRequest Request(IMirrorAnswerSink sink, bool withBody = false)
        => TestRequests.Post(_metrics, _budget, "copy", withBody ? 5000 : null, "http://127.0.0.1:1", sink: sink);

    private sealed class CallbackSink(Action told) : IMirrorAnswerSink
    {
        public int MaxBodyBytes => 0;

        public void OnAnswer(CapturedResponse answer) => told();

        public void OnNoAnswer(string reason) => told();
    }
}

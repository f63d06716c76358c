using System.Collections.Concurrent;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring;

/// <summary>
/// An answer sink that records every call (answers and no-answers, in order) so a test can say
/// the sink was told exactly once and what; optionally throws after recording, as a broken
/// comparison would.
/// </summary>
internal sealed class RecordingAnswerSink(int maxBodyBytes = 65536, bool throws = false) : IMirrorAnswerSink
{
    private readonly ChangeSignal _changed = new();
    private readonly ConcurrentQueue<object> _calls = new();

    public int MaxBodyBytes { get; } = maxBodyBytes;

    /// <summary>Every call: a <see cref="CapturedResponse"/> for an answer, the reason string for no answer.</summary>
    public IReadOnlyList<object> Calls => _calls.ToArray();

    /// <summary>The one call made; fails when there were none or several.</summary>
    public object Single => Assert.Single(Calls);

    public CapturedResponse Answer => Assert.IsType<CapturedResponse>(Single);

    public string NoAnswer => Assert.IsType<string>(Single);

    public void OnAnswer(CapturedResponse answer) => Record(answer);

    public void OnNoAnswer(string reason) => Record(reason);

    /// <summary>Waits (bounded) until every sink in <paramref name="sinks"/> was told something.</summary>
    public static async Task WaitAllToldAsync(params RecordingAnswerSink[] sinks)
    {
        for (var i = 0; i < sinks.Length; i++)
        {
            var sink = sinks[i];
            await sink._changed.WaitUntilAsync(() => !sink._calls.IsEmpty, () => $"sink {i} was never told its copy's outcome");
        }
    }

    private void Record(object call)
    {
        _calls.Enqueue(call);
        _changed.Changed();
        if (throws)
        {
            throw new InvalidOperationException("the comparison broke");
        }
    }
}

using System.Diagnostics;
using System.Net;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Http1;

/// <summary>A scripted mirror, a dispatcher in front of it and the outcomes it counts.</summary>
internal sealed class Lane : IAsyncDisposable
{
    private readonly MirrorTargetMetrics _target;

    private Lane(ScriptedMirror mirror, ProxyMirrorSettings settings, TimeProvider time)
    {
        Mirror = mirror;
        Metrics = new MirrorMetrics();
        Outcomes = new MirrorOutcomes(Metrics);
        Budget = new MirrorMemoryBudget(() => 1L << 30);
        Dispatcher = TestDispatcher.Create(() => settings, Metrics, Budget, time);
        _target = new MirrorTargetMetrics(Metrics, "lane", mirror.Origin);
    }

    public ScriptedMirror Mirror { get; }

    public MirrorMetrics Metrics { get; }

    public MirrorOutcomes Outcomes { get; }

    public MirrorMemoryBudget Budget { get; }

    public MirrorDispatcher Dispatcher { get; }

    public static Lane Start(Func<MirrorSide, Task> script, ProxyMirrorSettings settings, TimeProvider? time = null)
        => new(new ScriptedMirror(script), settings, time ?? TimeProvider.System);

    public MirrorRequest Copy(string pathAndQuery, HttpMethod? method = null, byte[]? body = null, KeyValuePair<string, string[]>[]? headers = null, IMirrorAnswerSink? sink = null)
    {
        MirrorBodyBuffer? buffer = null;
        if (body is not null)
        {
            buffer = new MirrorBodyBuffer(Budget);
            Assert.True(buffer.TryAppend(body));
        }

        return new MirrorRequest
        {
            Method = method ?? HttpMethod.Get,
            Origin = MirrorOrigin.Parse(Mirror.Origin),
            PathAndQuery = pathAndQuery,
            Version = HttpVersion.Version11,
            Host = "mirror.test",
            Headers = [new("X-Copy", [pathAndQuery]), .. headers ?? []],
            Body = buffer,
            Metrics = _target,
            AnswerSink = sink,
        };
    }

    public void Enqueue(params MirrorRequest[] copies)
    {
        foreach (var copy in copies)
        {
            Assert.True(Dispatcher.TryEnqueue(copy), $"{copy.PathAndQuery} was not queued");
        }
    }

    /// <summary>
    /// Nothing queued or in flight, every body released, no script failed. A body is released
    /// just after its outcome is counted, so this waits (bounded) for the counters to settle.
    /// </summary>
    public async Task AssertIdleAsync()
    {
        var deadline = Stopwatch.StartNew();
        while ((Dispatcher.QueueLength != 0 || Dispatcher.InFlight != 0 || Budget.Used != 0) && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(5);
        }

        Assert.Empty(Mirror.Failures);
        Assert.Equal(0, Dispatcher.QueueLength);
        Assert.Equal(0, Dispatcher.InFlight);
        Assert.Equal(0, Budget.Used);
        Assert.Equal(0, Outcomes.Dropped);
    }

    public async ValueTask DisposeAsync()
    {
        await Dispatcher.DisposeAsync();
        await Mirror.DisposeAsync();
        Outcomes.Dispose();
        Metrics.Dispose();
    }
}

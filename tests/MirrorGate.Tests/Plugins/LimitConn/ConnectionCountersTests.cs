using MirrorGate.Plugins.LimitConn;

namespace MirrorGate.Tests.Plugins.LimitConn;

public sealed class ConnectionCountersTests
{
    [Fact]
    public void TryEnter_PastLimit_RefusedAndNotCounted()
    {
        var counters = new ConnectionCounters(TimeProvider.System);

        Assert.Equal(1, counters.TryEnter("k", 2));
        Assert.Equal(2, counters.TryEnter("k", 2));
        Assert.Equal(0, counters.TryEnter("k", 2));
        Assert.Equal(0, counters.TryEnter("k", 2));

        counters.Leave("k");
        Assert.Equal(2, counters.TryEnter("k", 2));
    }

    [Fact]
    public void TryEnter_DifferentKeys_CountedApart()
    {
        var counters = new ConnectionCounters(TimeProvider.System);

        Assert.Equal(1, counters.TryEnter("a", 1));
        Assert.Equal(1, counters.TryEnter("b", 1));
        Assert.Equal(0, counters.TryEnter("a", 1));
    }

    [Fact]
    public void Sweep_KeysAtZero_Dropped_InFlightKept()
    {
        var counters = new ConnectionCounters(TimeProvider.System);
        counters.TryEnter("done", 1);
        counters.Leave("done");
        counters.TryEnter("busy", 1);

        counters.Sweep();

        Assert.Equal(1, counters.Count);
        Assert.Equal(0, counters.TryEnter("busy", 1));
        Assert.Equal(1, counters.TryEnter("done", 1));
    }

    [Fact]
    public async Task TryEnterLeave_Concurrent_BackToZero()
    {
        var counters = new ConnectionCounters(TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                if (counters.TryEnter("k", 4) > 0)
                {
                    counters.Leave("k");
                }
            }
        })));

        Assert.Equal(1, counters.TryEnter("k", 1));
    }
}

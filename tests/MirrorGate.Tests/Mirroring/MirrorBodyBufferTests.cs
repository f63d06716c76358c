using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>The body lease: bytes stay readable while anyone holds them, and go back to the pool once.</summary>
public sealed class MirrorBodyBufferTests
{
    private readonly MirrorMemoryBudget _budget = new(() => 1L << 30);

    [Fact]
    public void Release_WhileAWriterHolds_BytesStayReadableUntilTheWriterLetsGo()
    {
        var body = Filled(100_000);
        body.Hold();

        body.Release(); // the copy settled (say, an early answer)

        Assert.False(body.IsReleased);
        Assert.Equal(100_000, body.Length);
        Assert.All(body.ToArray(), b => Assert.Equal(7, b));
        Assert.NotEqual(0, _budget.Used);

        body.Release(); // the writer finished

        Assert.True(body.IsReleased);
        Assert.Equal(0, _budget.Used);
    }

    [Fact]
    public void Release_MoreOftenThanHeld_ThrowsAndReturnsNothingTwice()
    {
        var body = Filled(10_000);
        body.Release();

        Assert.Throws<InvalidOperationException>(body.Release);
        Assert.Throws<InvalidOperationException>(body.Hold);
        Assert.Equal(0, _budget.Used);
    }

    private MirrorBodyBuffer Filled(int length)
    {
        var body = new MirrorBodyBuffer(_budget);
        Assert.True(body.TryAppend(Enumerable.Repeat((byte)7, length).ToArray()));
        return body;
    }
}

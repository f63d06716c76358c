using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Mirroring;

public sealed class MirrorCircuitTests
{
    private readonly ManualTimeProvider _time = new();

    private MirrorCircuit Circuit() => new("http://mirror", _time, NullLogger.Instance);

    private static void Fail(MirrorCircuit circuit, int times)
    {
        for (var i = 0; i < times; i++)
        {
            circuit.OnConnectFailed();
        }
    }

    [Fact]
    public void AllowsRequest_FewerFailuresThanThreshold_StaysClosed()
    {
        var circuit = Circuit();
        Fail(circuit, MirrorCircuit.Threshold - 1);
        Assert.True(circuit.AllowsRequest());
    }

    [Fact]
    public void AllowsRequest_ThresholdFailures_OpensForOneSecond()
    {
        var circuit = Circuit();
        Fail(circuit, MirrorCircuit.Threshold);

        Assert.False(circuit.AllowsRequest());
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(circuit.AllowsRequest());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(circuit.AllowsRequest());
    }

    [Fact]
    public void AllowsRequest_StillFailingAfterOpening_OpensTwiceAsLongUpToThirtySeconds()
    {
        var circuit = Circuit();
        Fail(circuit, MirrorCircuit.Threshold);
        var expected = new[] { 2, 4, 8, 16, 30, 30 };
        _time.Advance(TimeSpan.FromSeconds(1));
        foreach (var seconds in expected)
        {
            circuit.OnConnectFailed();
            Assert.False(circuit.AllowsRequest());
            _time.Advance(TimeSpan.FromSeconds(seconds) - TimeSpan.FromTicks(1));
            Assert.False(circuit.AllowsRequest());
            _time.Advance(TimeSpan.FromTicks(1));
            Assert.True(circuit.AllowsRequest());
        }
    }

    [Fact]
    public void OnConnected_AfterOpening_ClosesAndResetsTheCount()
    {
        var circuit = Circuit();
        Fail(circuit, MirrorCircuit.Threshold);
        _time.Advance(TimeSpan.FromSeconds(1));
        circuit.OnConnected();

        Fail(circuit, MirrorCircuit.Threshold - 1);
        Assert.True(circuit.AllowsRequest());
        circuit.OnConnectFailed();
        Assert.False(circuit.AllowsRequest());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(circuit.AllowsRequest()); // back to the first, one-second opening
    }

    [Fact]
    public void OnConnectFailed_WhileOpen_DoesNotExtendTheOpening()
    {
        var circuit = Circuit();
        Fail(circuit, MirrorCircuit.Threshold);
        Fail(circuit, 10); // copies already in flight when it opened
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(circuit.AllowsRequest());
    }
}

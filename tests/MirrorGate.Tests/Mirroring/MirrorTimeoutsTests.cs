using MirrorGate.Mirroring;
using MirrorGate.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace MirrorGate.Tests.Mirroring;

public sealed class MirrorTimeoutsTests
{
    [Fact]
    public void Apply_SetValues_OverrideOnlyThose()
    {
        var applied = new MirrorTimeouts(null, null, TimeSpan.FromSeconds(0.5)).Apply(ProxyMirrorSettings.Default);

        Assert.Equal(TimeSpan.FromSeconds(0.5), applied.ReadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), applied.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(60), applied.SendTimeout);
        Assert.Equal(ProxyMirrorSettings.Default.QueueSize, applied.QueueSize);
    }

    [Fact]
    public void Key_DifferentOverrides_Differ()
    {
        Assert.NotEqual(new MirrorTimeouts(null, null, TimeSpan.FromSeconds(1)).Key, new MirrorTimeouts(TimeSpan.FromSeconds(1), null, null).Key);
        Assert.Equal(new MirrorTimeouts(null, null, TimeSpan.FromSeconds(1)).Key, new MirrorTimeouts(null, null, TimeSpan.FromSeconds(1)).Key);
    }

    [Fact]
    public void WithTimeouts_FollowsTheNodeSettingsAndTheStop()
    {
        var node = ProxyMirrorSettings.Default;
        var context = new MirrorLaneContext(() => node, new ManualTimeProvider(), new MirrorLoad(), new MirrorFailureLog(TimeProvider.System, NullLogger.Instance));
        var target = context.WithTimeouts(new MirrorTimeouts(null, null, TimeSpan.FromSeconds(0.5)));

        Assert.Equal(TimeSpan.FromSeconds(0.5), target.Settings.ReadTimeout);
        Assert.Same(target.Settings, target.Settings); // computed once per node settings
        node = node with { SendTimeout = TimeSpan.FromSeconds(7) };
        Assert.Equal(TimeSpan.FromSeconds(7), target.Settings.SendTimeout);
        Assert.Equal(TimeSpan.FromSeconds(0.5), target.Settings.ReadTimeout);
        Assert.Same(context.Load, target.Load);

        Assert.False(target.Stopping);
        context.Stop();
        Assert.True(target.Stopping);
    }
}

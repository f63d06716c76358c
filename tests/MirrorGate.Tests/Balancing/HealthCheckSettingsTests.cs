using MirrorGate.Balancing;
using static MirrorGate.Tests.Balancing.BalancingTestHelpers;

namespace MirrorGate.Tests.Balancing;

public sealed class HealthCheckSettingsTests
{
    [Fact]
    public void From_EmptySections_UsesApisixDefaults()
    {
        var settings = HealthCheckSettings.From(Upstream("""{"checks": {"active": {}, "passive": {}}}"""))!;
        var active = settings.Active!;
        var passive = settings.Passive!;

        Assert.Equal(ActiveProbeType.Http, active.Type);
        Assert.Equal(TimeSpan.FromSeconds(1), active.Timeout);
        Assert.Equal(10, active.Concurrency);
        Assert.Equal(("GET", "/"), (active.HttpMethod, active.HttpPath));
        Assert.True(active.HttpsVerifyCertificate);
        Assert.Equal((TimeSpan.FromSeconds(1), 2), (active.HealthyInterval, active.HealthySuccesses));
        Assert.Equal([200, 302], active.HealthyStatuses.Order());
        Assert.Equal([404, 429, 500, 501, 502, 503, 504, 505], active.UnhealthyStatuses.Order());
        Assert.Equal((5, 2, 3), (active.HttpFailures, active.TcpFailures, active.Timeouts));
        Assert.Equal(19, passive.HealthyStatuses.Count);
        Assert.Equal(5, passive.HealthySuccesses);
        Assert.Equal([429, 500, 503], passive.UnhealthyStatuses.Order());
        Assert.Equal((5, 2, 7), (passive.HttpFailures, passive.TcpFailures, passive.Timeouts));
    }

    [Fact]
    public void From_NoChecks_ReturnsNull() => Assert.Null(HealthCheckSettings.From(Upstream("""{"nodes": {}}""")));
}

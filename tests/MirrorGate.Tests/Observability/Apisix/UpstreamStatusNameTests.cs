using MirrorGate.Observability.Apisix;

namespace MirrorGate.Tests.Observability.Apisix;

public sealed class UpstreamStatusNameTests
{
    [Theory]
    [InlineData("upstream/1@5", "/apisix/upstreams/1")]
    [InlineData("upstream/u1@12|timeout {\"connect\":1}", "/apisix/upstreams/u1")]
    [InlineData("route/7|{\"nodes\":{\"127.0.0.1:80\":1}}", "/apisix/routes/7")]
    [InlineData("service/s1@3", "/apisix/services/s1")]
    [InlineData("upstream/2", "/apisix/upstreams/2")]
    public void FromKey_SnapshotUpstreamKey_ApisixResourceKey(string key, string expected) =>
        Assert.Equal(expected, UpstreamStatusName.FromKey(key));
}

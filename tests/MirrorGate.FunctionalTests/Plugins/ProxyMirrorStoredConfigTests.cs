using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Resources;
using MirrorGate.Snapshot;
using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// A proxy-mirror config the Admin API would refuse, written into the store by other means (by
/// hand into etcd, an older node): the snapshot build skips that route with an error log, like
/// any other bad item, and the node keeps serving the rest.
/// </summary>
public sealed class ProxyMirrorStoredConfigTests
{
    [Theory]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData("http://..:8081")]
    [InlineData("http://[:::::]:8081")]
    [InlineData("http://127.0.0.1:{admin}")]
    public async Task StoredHostRefusedAtSave_RouteSkippedWithErrorLogOthersServed(string host)
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        host = host.Replace("{admin}", gateway.AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var store = gateway.Services.GetRequiredService<IConfigStore>();

        var route = $$"""{"id":"1","uri":"/hello","plugins":{"proxy-mirror":{"host":"{{host}}"} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""";
        var written = await store.PutAsync(ResourceKind.Route, "1", route, null, CancellationToken.None);
        await gateway.Services.GetRequiredService<SnapshotHolder>().WaitForRevisionAsync(written.ModifiedIndex, TimeSpan.FromSeconds(10), CancellationToken.None);
        await gateway.PutRouteAsync("2", AdminCall.Route("/ok", upstream.Address));

        await gateway.Logs.WaitForAsync($"Skipping stored route 1: failed to check the configuration of plugin proxy-mirror err: property \"host\" validation failed: \"{host}\"");
        using var skipped = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello");
        using var served = await gateway.Client.GetAsync(gateway.ProxyUrl + "/ok");
        Assert.Equal(404, (int)skipped.StatusCode);
        Assert.Equal(200, (int)served.StatusCode);
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total"));
    }
}

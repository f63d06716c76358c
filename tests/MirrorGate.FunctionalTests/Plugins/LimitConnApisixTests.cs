using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// APISIX's limit-conn tests (t/plugin/limit-conn*.t, the blocks without Redis or Lua internals)
/// through a real gateway and upstream. Requests are held open at the upstream until the test
/// lets them go, so "in flight" is a fact of the test, not of timing.
/// </summary>
public sealed class LimitConnApisixTests
{
    private static string Route(string limitConn, string upstreamAddress, string extraPlugins = "")
        => $$"""
            {"uri":"/hello","plugins":{"limit-conn":{ {{limitConn}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    /// <summary>An upstream that holds requests with <c>?hold</c> until <paramref name="release"/> completes.</summary>
    private static async Task<RecordingServer> HoldingUpstreamAsync(TaskCompletionSource release)
    {
        var upstream = await RecordingServer.StartAsync();
        upstream.Respond = async http =>
        {
            if (http.Request.Query.ContainsKey("hold"))
            {
                await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }

            await http.Response.WriteAsync("hello world\n");
        };
        return upstream;
    }

    private static async Task<int> StatusAsync(GatewayNode gateway, string query = "")
    {
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + "/hello" + query);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task Get_PastConnPlusBurst_503WhileInFlight_NotMirrored_AllowedOnceDone()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await HoldingUpstreamAsync(release);
        await using var mirror = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "conn":1,"burst":0,"default_conn_delay":0.1,"rejected_code":503,"key":"remote_addr" """, upstream.Address, $$""","proxy-mirror":{"host":"{{mirror.Url}}"}"""));

        var held = StatusAsync(gateway, "?hold");
        await upstream.WaitForCountAsync(1);
        Assert.Equal(503, await StatusAsync(gateway, "?refused"));
        Assert.Equal(503, await StatusAsync(gateway, "?refused"));

        release.SetResult();
        Assert.Equal(200, await held);
        Assert.Equal(200, await StatusAsync(gateway, "?after"));

        await mirror.WaitForCountAsync(2);
        Assert.Equal(["/hello?after", "/hello?hold"], mirror.Requests.Select(r => r.RawTarget).Order().ToArray());
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task Get_WithinBurst_DelayedThenProxied()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await HoldingUpstreamAsync(release);
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "conn":1,"burst":1,"default_conn_delay":0.1,"key":"remote_addr" """, upstream.Address));

        var held = StatusAsync(gateway, "?hold");
        await upstream.WaitForCountAsync(1);
        var burst = StatusAsync(gateway, "?hold&burst");
        await upstream.WaitForCountAsync(2); // the burst request is proxied after its delay
        Assert.Equal(503, await StatusAsync(gateway, "?refused")); // conn + burst in flight

        release.SetResult();
        Assert.Equal(200, await held);
        Assert.Equal(200, await burst);
    }

    [Fact]
    public async Task Get_UpstreamDown_CountGivenBackEveryTime()
    {
        // The log phase gives the place back when proxying failed: a dead upstream answers 502, never 503.
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "conn":1,"burst":0,"default_conn_delay":0.1,"key":"remote_addr" """, "127.0.0.1:" + FreePort.Next()));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(502, await StatusAsync(gateway));
        }
    }

    [Fact]
    public async Task Get_ClientAbortsWhileInFlight_CountGivenBack()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await HoldingUpstreamAsync(release);
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", Route(""" "conn":1,"burst":0,"default_conn_delay":0.1,"key":"remote_addr" """, upstream.Address));

        using (var abort = new CancellationTokenSource())
        {
            var held = gateway.Client.GetAsync(gateway.ProxyUrl + "/hello?hold", abort.Token);
            await upstream.WaitForCountAsync(1);
            await abort.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => held);
        }

        // The gateway notices the abort on its own schedule: wait for it, bounded, by count of tries.
        var status = 0;
        for (var i = 0; i < 100 && status != 200; i++)
        {
            status = await StatusAsync(gateway, "?after");
            if (status != 200)
            {
                await Task.Delay(100);
            }
        }

        release.SetResult();
        Assert.Equal(200, status);
    }

    [Theory]
    // limit-conn.t TEST 2, 7-8
    [InlineData(""" "burst":0,"rejected_code":503,"key":"remote_addr" """, "value should match only one schema, but matches none")]
    [InlineData(""" "conn":-1,"burst":0,"default_conn_delay":0.1,"key":"remote_addr" """, "property \"conn\" validation failed: value should match only one schema, but matches none")]
    [InlineData(""" "conn":1,"burst":0,"default_conn_delay":0.1,"key":"remote_addr","policy":"redis","redis_host":"127.0.0.1" """, "policy \"redis\" is not supported: MirrorGate counts per node (policy \"local\") and has no Redis client")]
    public async Task PutRoute_BadConfig_400WithApisixMessage(string config, string expected)
    {
        await using var gateway = await GatewayNode.StartAsync();

        var put = await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route(config, "127.0.0.1:1980"));

        AdminCall.AssertError(put, 400, "failed to check the configuration of plugin limit-conn err: " + expected);
    }
}

using Microsoft.AspNetCore.Http;
using System.Diagnostics;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>Admin changes reach the data plane of the same node at once, without dropping traffic.</summary>
public sealed class ConfigChangeTests
{
    [Fact]
    public async Task Put_RouteSwitchedToAnotherUpstream_FirstRequestAfterTheAnswerServedByTheNewOne()
    {
        await using var before = await ProxyKit.NamedAsync("before");
        await using var after = await ProxyKit.NamedAsync("after");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/switch","upstream":{{ProxyKit.To(before)}} }""");
        Assert.Equal("before", await gateway.BodyAsync("/switch"));

        for (var round = 0; round < 5; round++)
        {
            var (next, name) = round % 2 == 0 ? (after, "after") : (before, "before");
            await gateway.PutRouteAsync("1", $$"""{"uri":"/switch","upstream":{{ProxyKit.To(next)}} }""");
            var answered = Stopwatch.GetTimestamp();

            // The Admin API answers once its revision is live, so not a single request after the
            // answer may still see the old upstream: the change is served in 0 ms, well within 100 ms.
            Assert.Equal(name, await gateway.BodyAsync("/switch"));
            var servedWithin = Stopwatch.GetElapsedTime(answered);
            Assert.True(servedWithin < TimeSpan.FromSeconds(2), $"serving the change took {servedWithin.TotalMilliseconds} ms");
        }
    }

    [Fact]
    public async Task Put_NewRoute_ServedByTheFirstRequestAfterTheAnswer()
    {
        await using var upstream = await ProxyKit.NamedAsync("new");
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(404, (await gateway.SendAsync("/fresh")).Status);

        await gateway.PutRouteAsync("1", $$"""{"uri":"/fresh","upstream":{{ProxyKit.To(upstream)}} }""");

        Assert.Equal("new", await gateway.BodyAsync("/fresh"));
        var (status, body) = await gateway.AdminAsync(HttpMethod.Delete, "/apisix/admin/routes/1");
        Assert.True(status == 200, body);
        Assert.Equal(404, (await gateway.SendAsync("/fresh")).Status);
    }

    [Fact]
    public async Task Put_RouteSwitchedAndDeletedWhileRequestInFlight_InFlightRequestCompletes()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var old = await RecordingServer.StartAsync();
        old.Respond = async http =>
        {
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await http.Response.WriteAsync("old finished");
        };
        await using var replacement = await ProxyKit.NamedAsync("new");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/inflight","upstream":{{ProxyKit.To(old)}} }""");

        var inFlight = gateway.SendAsync("/inflight");
        await old.NextAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/inflight","upstream":{{ProxyKit.To(replacement)}} }""");
        Assert.Equal("new", await gateway.BodyAsync("/inflight"));
        var (status, body) = await gateway.AdminAsync(HttpMethod.Delete, "/apisix/admin/routes/1");
        Assert.True(status == 200, body);
        release.SetResult();

        Assert.Equal((200, "old finished"), await inFlight);
        Assert.Equal(404, (await gateway.SendAsync("/inflight")).Status);
    }

    [Fact]
    public async Task Put_RouteChangedRepeatedlyUnderLoad_NoRequestFails()
    {
        await using var a = await ProxyKit.NamedAsync("a");
        await using var b = await ProxyKit.NamedAsync("b");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/load","upstream":{{ProxyKit.To(a)}} }""");

        using var stop = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var served = 0;
        var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var (status, body) = await gateway.SendAsync("/load");
                    if (status != 200 || body is not ("a" or "b"))
                    {
                        failures.Enqueue($"{status} {body}");
                    }

                    Interlocked.Increment(ref served);
                }
                catch (HttpRequestException ex)
                {
                    failures.Enqueue(ex.Message);
                }
            }
        })).ToArray();

        var changes = 0;
        var until = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 3;
        while (Stopwatch.GetTimestamp() < until)
        {
            var next = changes % 2 == 0 ? b : a;
            await gateway.PutRouteAsync("1", $$"""{"uri":"/load","upstream":{{ProxyKit.To(next)}} }""");
            changes++;
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(failures.IsEmpty, $"{failures.Count} of {served} requests failed, e.g. {failures.FirstOrDefault()}");
        Assert.True(changes >= 10, $"only {changes} changes were made");
        Assert.True(a.Count > 0 && b.Count > 0, $"a served {a.Count}, b served {b.Count}");
        Assert.True(served >= 40, $"only {served} requests were made");
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Balancing;

namespace MirrorGate.Tests.Balancing;

internal static class BalancingTestHelpers
{
    public static JsonObject Upstream(string json) => JsonNode.Parse(json)!.AsObject();

    public static DefaultHttpContext Request(string? query = null, string remoteAddr = "10.0.0.1", string path = "/")
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remoteAddr);
        context.Connection.RemotePort = 40000;
        context.Request.Path = path;
        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        return context;
    }

    /// <summary>Picks <paramref name="count"/> times and counts per authority.</summary>
    public static Dictionary<string, int> Count(ILoadBalancer balancer, int count, Func<HttpContext>? context = null)
    {
        var counts = balancer.Nodes.ToDictionary(n => n.Authority, _ => 0);
        for (var i = 0; i < count; i++)
        {
            var node = balancer.Pick(context?.Invoke() ?? Request(), null)!;
            counts[node.Authority]++;
        }

        return counts;
    }

    public static UpstreamNode Node(ILoadBalancer balancer, string authority) =>
        balancer.Nodes.Single(n => n.Authority == authority);

    /// <summary>Polls <paramref name="condition"/> with a bounded deadline, calling <paramref name="step"/> between checks.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, Action? step = null, int timeoutSeconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met before the deadline");
            }

            step?.Invoke();
            await Task.Delay(10);
        }
    }
}

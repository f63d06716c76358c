using System.Diagnostics;
using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// Real nginx as the mirror, configured <c>location / { return 200; }</c>: it answers as soon as
/// it has a request's head, then reads and drops the body, and closes a keep-alive connection
/// after its 1,000th request (keepalive_requests). nginx cannot hash a body it drops, but a body
/// cut short or run on makes it read the next copy's bytes as body or as a bad request line, so
/// every copy logged exactly once, with 200, is the check here; the raw mirrors check the bytes.
/// </summary>
public sealed class ProxyMirrorNginxMirrorTests
{
    [Fact]
    public async Task Post_NginxReturn200Mirror_EveryCopyLoggedOnceWith200AndCountedSent()
    {
        const int Posts = 1_100;
        await using var upstream = await RecordingServer.StartAsync();
        await using var nginx = await NginxServer.StartAsync(
            "client_max_body_size 0;\n        location / { return 200; }",
            "$http_x_copy_id $status $connection_requests");

        // One connection at a time to the mirror: it carries over 1,000 copies, so nginx closes it once.
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    concurrency: 1" + MirrorAccounts.ShortTimeoutsYaml);
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{nginx.Url}}" """, upstream.Address));
        var ids = Enumerable.Range(0, Posts).Select(i => DigestedCopy.IdOf("post", i)).ToArray();

        await RunConcurrentlyAsync(Posts, 16, i => DigestedCopy.SendAsync(gateway.Client, DigestedCopy.Post(
            gateway.ProxyUrl + "/upload", ids[i], RandomBytes(BodySize(i), seed: i), chunked: i % 2 == 1)));

        var accounts = await MirrorAccounts.SettledAsync(gateway, "1", Posts);
        var lines = await LogLinesAsync(nginx, Posts);
        var logged = lines.Select(l => l.Split(' ')).ToArray();
        var bad = logged.Where(f => f.Length != 3 || f[1] != "200" || f[0] == "-").Select(f => string.Join(" ", f)).Take(10).ToArray();
        Assert.True(bad.Length == 0, $"nginx logged requests that are not whole copies: [{string.Join("; ", bad)}]\n  the gateway counted {accounts}\n{nginx.ErrorLog()}");
        var repeated = logged.GroupBy(f => f[0]).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(repeated.Length == 0, $"copies logged more than once: [{string.Join(", ", repeated)}]");
        Assert.Equal(ids.Order(StringComparer.Ordinal), logged.Select(f => f[0]).Order(StringComparer.Ordinal));
        Assert.Contains(logged, f => f[2] == "1000");
        Assert.Equal(Posts, accounts.Sent2xx);
        Assert.Equal(accounts.Sampled, accounts.Outcomes);
    }

    /// <summary>Mostly small bodies; one in 25 of 1–4 MiB, still being written when nginx answers.</summary>
    private static int BodySize(int i)
    {
        var random = new Random(i);
        return i % 25 == 0 ? random.Next(1024 * 1024, 4 * 1024 * 1024) : random.Next(0, 16 * 1024);
    }

    /// <summary>The access log once it has <paramref name="count"/> lines (bounded; nginx writes a line per request as it ends).</summary>
    private static async Task<string[]> LogLinesAsync(NginxServer nginx, int count)
    {
        var clock = Stopwatch.StartNew();
        string[] lines;
        while ((lines = nginx.AccessLogLines()).Length < count && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        return lines;
    }
}

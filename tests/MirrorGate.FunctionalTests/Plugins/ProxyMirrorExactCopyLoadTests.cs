using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// Rule 9 under load: many copies at once, of different random bodies from nothing to a few MiB,
/// Content-Length and chunked, pipelined on few keep-alive connections to a mirror that answers
/// before reading bodies and to one (Kestrel) that reads them first. Pooled body memory is reused
/// all the time here, so a chunk freed while still being written shows up as an altered copy.
/// The early mirror's receive window is small, as across a real network, so a large body is
/// still being written when its early answer comes back.
/// </summary>
public sealed class ProxyMirrorExactCopyLoadTests
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public async Task Post_400CopiesFrom32ClientsToEarlyAndNormalMirrors_EveryCopyExactAndCountedOnce()
    {
        const int Posts = 400;
        const int Clients = 32;
        await using var upstream = await RecordingServer.StartAsync();
        await using var early = new WireMirror(new WireMirrorOptions { AnswerAfterBodyBytes = 0, ReceiveBufferBytes = 64 * 1024 });
        await using var normal = await RecordingServer.StartAsync();

        // Few connections per mirror, so copies are pipelined on them.
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    concurrency: 4" + MirrorAccounts.ShortTimeoutsYaml);
        await gateway.PutRouteAsync("1", Route("/early/*", $$"""  "host":"{{early.Url}}" """, upstream.Address));
        await gateway.PutRouteAsync("2", Route("/normal/*", $$"""  "host":"{{normal.Url}}" """, upstream.Address));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

        await RunConcurrentlyAsync(Posts, Clients, i => DigestedCopy.SendAsync(client, DigestedCopy.Post(
            $"{gateway.ProxyUrl}/{(i % 2 == 0 ? "early" : "normal")}/{i}", DigestedCopy.IdOf("post", i),
            RandomBytes(BodySize(i), seed: i), chunked: i % 4 >= 2)));

        var earlyAccounts = await MirrorAccounts.SettledAsync(gateway, "1", Posts / 2, () => CopyTally.Of(early).Describe());
        var normalAccounts = await MirrorAccounts.SettledAsync(gateway, "2", Posts / 2, () => CopyTally.Of(normal.Requests).Describe());
        ExactCopyAssert.ArrivedOnceExactAndCountedSent(await early.TallyAsync(Posts / 2), Ids(Posts, parity: 0), earlyAccounts);
        ExactCopyAssert.ArrivedOnceExactAndCountedSent(await TallyAsync(normal, Posts / 2), Ids(Posts, parity: 1), normalAccounts);

        Assert.InRange(early.Connections, 1, Posts / 8);
    }

    private static string[] Ids(int posts, int parity)
        => [.. Enumerable.Range(0, posts).Where(i => i % 2 == parity).Select(i => DigestedCopy.IdOf("post", i))];

    /// <summary>What the Kestrel mirror got once it has <paramref name="count"/> requests, or after 10 s with what it has.</summary>
    private static async Task<CopyTally> TallyAsync(RecordingServer mirror, int count)
    {
        try
        {
            await mirror.WaitForCountAsync(count);
        }
        catch (TimeoutException)
        {
            // The assertions on the tally say what is missing.
        }

        return CopyTally.Of(mirror.Requests);
    }

    /// <summary>
    /// For each mirror alike (even and odd requests): one body in eight of 1–4 MiB (written long
    /// after an early answer), three of 16–512 KiB, one empty, the rest under 16 KiB.
    /// </summary>
    private static int BodySize(int i)
    {
        var random = new Random(i);
        return (i / 2 % 8) switch
        {
            0 => random.Next(MiB, 4 * MiB),
            1 or 2 or 3 => random.Next(16 * 1024, 512 * 1024),
            4 => 0,
            _ => random.Next(1, 16 * 1024),
        };
    }
}

using MirrorGate.FunctionalTests.Infrastructure;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// Rule 9 against mirrors that answer or close while a copy's body is still being written
/// (issue 8): a copy arrives exact or is not counted sent, is sent at most once after it was
/// written, and every sampled copy is counted exactly once. Each mirror checks every copy's
/// SHA-256 against the digest the client put on the primary request.
/// </summary>
public sealed class ProxyMirrorExactCopyTests
{
    private const int MiB = 1024 * 1024;
    private const string CutId = "cut-copy";

    /// <summary>
    /// What nginx's <c>return 200;</c> does (0: answer right after the head) and a mirror that
    /// answers after part of the body; both read the rest of the body after answering. The issue's
    /// report: five POSTs of one 4 MiB body, the last copy altered; different bodies, cut short.
    /// </summary>
    [Theory]
    [InlineData(0L, true)]
    [InlineData(0L, false)]
    [InlineData(65_536L, false)]
    public async Task Post_MirrorAnswersBeforeReadingTheBody_EveryCopyArrivesExactAndCountedSent(long answerAfterBodyBytes, bool sameBody)
    {
        const int Posts = 5;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = new WireMirror(new WireMirrorOptions { AnswerAfterBodyBytes = answerAfterBodyBytes });
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:" + MirrorAccounts.ShortTimeoutsYaml);
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var bodies = sameBody
            ? [.. Enumerable.Repeat(RandomBytes(4 * MiB, seed: 80), Posts)]
            : DigestedCopy.Bodies(81, [.. Enumerable.Repeat(4 * MiB, Posts)]);
        var ids = Enumerable.Range(0, Posts).Select(i => DigestedCopy.IdOf("post", i)).ToArray();

        // One after the other, as the client did; every other body chunked.
        for (var i = 0; i < Posts; i++)
        {
            await DigestedCopy.SendAsync(gateway.Client, DigestedCopy.Post(gateway.ProxyUrl + "/upload", ids[i], bodies[i], chunked: i % 2 == 1));
        }

        var accounts = await MirrorAccounts.SettledAsync(gateway, "1", Posts, () => CopyTally.Of(mirror).Describe());
        var tally = await mirror.TallyAsync(Posts);
        ExactCopyAssert.ArrivedOnceExactAndCountedSent(tally, ids, accounts);
    }

    /// <summary>
    /// (c) The mirror answers <c>200</c> with <c>Connection: close</c> after 8 of the copy's 16 MiB
    /// and closes: it answered, so the copy is counted sent 2xx (the rest of its body was the
    /// mirror's to refuse); it was written, so it is not sent again. The copies behind it were
    /// declined unread and arrive once, exact.
    /// </summary>
    [Fact]
    public async Task Post_MirrorAnswersConnectionCloseMidBody_CopyCountedSentNotResentAndOthersArriveOnceExact()
    {
        var (tally, _, _, accounts, others) = await CutOneCopyMidBodyAsync(WireCut.AnswerClose(8 * MiB));

        ExactCopyAssert.ArrivedOnceCutAndCountedAnswered(tally, CutId, accounts);
        ExactCopyAssert.ArrivedOnceExactAndCountedSent(tally, others, accounts, answeredBesides: 1);
    }

    /// <summary>
    /// (d) The mirror closes after 8 of the copy's 16 MiB without answering: written and cut, the
    /// copy fails and is not sent again (a mirrored POST must not create two orders). The copies
    /// queued behind it on that connection were never written when the gateway saw the close
    /// (mostly: it comes while the body is still being written), and go to a new connection; but
    /// the mirror closes as nginx does, reading on, so a writer that gets ahead of its reader
    /// (seen under the full suite's load: 2 of 6) writes some of them after the FIN: those the
    /// mirror reads on the closing connection (lingered), and they fail, never sent twice.
    /// Only the one copy being written when the gateway closed may reach the mirror cut short.
    /// </summary>
    [Fact]
    public async Task Post_MirrorClosesMidBodyWithoutAnswering_CopyCountedFailedNotResentAndOthersArriveOnceExact()
    {
        var (tally, lingered, headsCut, accounts, others) = await CutOneCopyMidBodyAsync(WireCut.Silent(8 * MiB), withLingered: true);

        ExactCopyAssert.ArrivedOnceCutAndCountedFailed(tally, CutId, accounts);
        ExactCopyAssert.ArrivedOnceExactOrWrittenBehindTheCutAndCountedFailed(tally, lingered, headsCut, others, accounts);
    }

    /// <summary>
    /// (e) nginx's keepalive_requests: the mirror answers the 1,000th request of a connection with
    /// <c>Connection: close</c> and reads nothing after it. Copies pipelined behind that answer were
    /// declined unread and are sent again once; every copy arrives once, exact, counted sent.
    /// </summary>
    [Fact]
    public async Task Post_MirrorClosesEvery1000thRequest_DeclinedCopiesSentAgainOnceAndEveryCopyExact()
    {
        const int Posts = 2_100;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = new WireMirror(new WireMirrorOptions { KeepAliveRequests = 1000 });

        // One connection at a time, so the copies make two of them meet the limit.
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    concurrency: 1" + MirrorAccounts.ShortTimeoutsYaml);
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var ids = Enumerable.Range(0, Posts).Select(i => DigestedCopy.IdOf("post", i)).ToArray();

        await RunConcurrentlyAsync(Posts, 16, i => DigestedCopy.SendAsync(gateway.Client, DigestedCopy.Post(
            gateway.ProxyUrl + "/upload", ids[i], RandomBytes(new Random(i).Next(0, 2048), seed: i), chunked: i % 3 == 0)));

        var accounts = await MirrorAccounts.SettledAsync(gateway, "1", Posts, () => CopyTally.Of(mirror).Describe());
        var tally = await mirror.TallyAsync(Posts);
        Assert.True(mirror.KeepAliveCloses >= 2, $"the mirror closed {mirror.KeepAliveCloses} connections at its limit, of {mirror.Connections}");
        ExactCopyAssert.ArrivedOnceExactAndCountedSent(tally, ids, accounts);
    }

    /// <summary>
    /// Sends a 16 MiB POST whose copy the mirror cuts (<paramref name="cut"/>) between copies that
    /// it reads normally: one before, to warm the connection, and six sent once the cut copy is
    /// queued, so with one connection per mirror they wait behind it. The cut comes 8 MiB in,
    /// and the mirror's small receive window keeps the socket buffers between gateway and mirror
    /// far below the 8 MiB left, so the gateway is still writing the body when it comes.
    /// </summary>
    /// <remarks>
    /// With <paramref name="withLingered"/>, the copies the mirror read on the cut connection after
    /// closing it count towards the tally's wait (each copy arrives once, here or on a new connection).
    /// </remarks>
    private static async Task<(CopyTally Tally, CopyTally Lingered, int HeadsCut, MirrorAccounts Accounts, string[] Others)> CutOneCopyMidBodyAsync(string cut, bool withLingered = false)
    {
        const int Behind = 6;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = new WireMirror(new WireMirrorOptions { ReceiveBufferBytes = 64 * 1024 });
        await using var gateway = await GatewayNode.StartAsync("  proxy-mirror:\n    concurrency: 1\n    max_body_size: 32m" + MirrorAccounts.ShortTimeoutsYaml);
        await gateway.PutRouteAsync("1", Route("/upload", $$"""  "host":"{{mirror.Url}}" """, upstream.Address));
        var url = gateway.ProxyUrl + "/upload";
        var others = Enumerable.Range(0, Behind + 1).Select(i => DigestedCopy.IdOf("other", i)).ToArray();
        var bodies = DigestedCopy.Bodies(90, [64 * 1024, .. Enumerable.Repeat(256 * 1024, Behind)]);

        await DigestedCopy.SendAsync(gateway.Client, DigestedCopy.Post(url, others[0], bodies[0]));
        await MirrorAccounts.SettledAsync(gateway, "1", 1);
        await DigestedCopy.SendAsync(gateway.Client, DigestedCopy.Post(url, CutId, RandomBytes(16 * MiB, seed: 91), cut: cut));
        await Task.WhenAll(Enumerable.Range(1, Behind).Select(i => DigestedCopy.SendAsync(
            gateway.Client, DigestedCopy.Post(url, others[i], bodies[i], chunked: i % 2 == 0))));

        var accounts = await MirrorAccounts.SettledAsync(gateway, "1", Behind + 2, () => CopyTally.Of(mirror).Describe());
        var tally = await mirror.TallyAsync(Behind + 2, withLingered: withLingered);
        Assert.True(mirror.Connections >= 2, "the copies after the cut one need a new connection");
        return (tally, CopyTally.Of(mirror.Lingered), mirror.LingeredHeadsCut, accounts, others);
    }
}

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>Rule 9's checks on what a mirror got and what the gateway counted, with messages that name the bad copies.</summary>
internal static class ExactCopyAssert
{
    /// <summary>
    /// Each of <paramref name="ids"/> arrived exactly once and exact, nothing arrived altered or as
    /// bytes that are not a request, the gateway counted each of them sent with a 2xx, and every
    /// copy it sampled has exactly one outcome. <paramref name="answeredBesides"/> more copies
    /// (answered before the mirror read them whole) are also counted sent 2xx.
    /// </summary>
    public static void ArrivedOnceExactAndCountedSent(CopyTally tally, IReadOnlyCollection<string> ids, MirrorAccounts accounts, int answeredBesides = 0)
    {
        var context = $"{tally.Describe()}\n  the gateway counted {accounts}";
        Assert.True(tally.Altered == 0 && tally.Faults == 0, $"altered copies: {context}");
        Assert.True(tally.Repeated.Length == 0, $"copies sent twice: {context}");
        Assert.True(tally.Missing(ids).Length == 0, $"copies that never arrived: [{string.Join(", ", tally.Missing(ids).Take(20))}]: {context}");
        Assert.True(ids.All(id => tally.ArrivalsOf(id) is [CopyVerdict.Exact]), $"copies not exact: {context}");
        Assert.True(accounts.Outcomes == accounts.Sampled, $"sampled is not sent + failed + dropped: {context}");
        Assert.True(accounts.Sent2xx == ids.Count + answeredBesides, $"expected {ids.Count + answeredBesides} copies counted sent 2xx: {context}");
    }

    /// <summary>
    /// After a connection broke mid-body without an answer, and the mirror read on while closing:
    /// each of <paramref name="ids"/> arrived once and exact, either served (counted sent) or
    /// written behind the cut copy before the gateway saw the close and read by the closing mirror
    /// (<paramref name="lingered"/>: counted failed, never sent again). A copy never written is
    /// never failed: it goes to a new connection. The only exception is the one copy being
    /// written when the gateway closed: it may have arrived cut short (its body, or its head:
    /// <paramref name="headsCut"/>), or, its write under way but no byte of it through yet, not at
    /// all; it is counted failed.
    /// </summary>
    public static void ArrivedOnceExactOrWrittenBehindTheCutAndCountedFailed(
        CopyTally tally, CopyTally lingered, int headsCut, IReadOnlyCollection<string> ids, MirrorAccounts accounts)
    {
        var context = $"{tally.Describe()}\n  lingered: {lingered.Describe()}, {headsCut} heads cut\n  the gateway counted {accounts}";
        Assert.True(tally.Altered == 0 && tally.Faults == 0 && lingered.Altered == 0, $"altered copies: {context}");
        Assert.True(tally.Repeated.Length == 0 && lingered.Repeated.Length == 0, $"copies sent twice: {context}");
        var served = 0;
        var writtenBehind = 0;
        var beingWritten = new List<string>();
        foreach (var id in ids)
        {
            switch (tally.ArrivalsOf(id), lingered.ArrivalsOf(id))
            {
                case ([CopyVerdict.Exact], []):
                    served++;
                    break;
                case ([], [CopyVerdict.Exact]):
                    writtenBehind++;
                    break;
                case ([], [CopyVerdict.Incomplete] or []):
                    beingWritten.Add(id);
                    break;
                default:
                    Assert.Fail($"{id} arrived {tally.ArrivalsOf(id).Length} times served, {lingered.ArrivalsOf(id).Length} times lingered: {context}");
                    break;
            }
        }

        Assert.True(beingWritten.Count <= 1 && headsCut <= 1, $"more than one copy cut short or missing ([{string.Join(", ", beingWritten)}]): {context}");
        Assert.True(accounts.Outcomes == accounts.Sampled, $"sampled is not sent + failed + dropped: {context}");
        Assert.True(accounts.Sent2xx == served, $"expected the {served} served copies counted sent 2xx: {context}");
        Assert.True(accounts.Failed == 1 + writtenBehind + beingWritten.Count, $"expected the cut copy and {writtenBehind + beingWritten.Count} written behind it counted failed: {context}");
    }

    /// <summary>
    /// The copy <paramref name="id"/> arrived once, cut mid-body, and was counted failed: written,
    /// it is never sent again (at most once after a write), and not whole, it is never counted sent.
    /// </summary>
    public static void ArrivedOnceCutAndCountedFailed(CopyTally tally, string id, MirrorAccounts accounts)
    {
        var context = $"{tally.Describe()}\n  the gateway counted {accounts}";
        Assert.True(tally.ArrivalsOf(id) is [CopyVerdict.Incomplete], $"the cut copy {id} must arrive once, cut: {context}");
        Assert.True(accounts.Failed >= 1, $"the cut copy must be counted failed: {context}");
    }

    /// <summary>
    /// The copy <paramref name="id"/> arrived once, and the mirror answered it before reading it
    /// whole (then closed): an early answer is an answer, so it is counted sent by that status and,
    /// written, never sent again.
    /// </summary>
    public static void ArrivedOnceCutAndCountedAnswered(CopyTally tally, string id, MirrorAccounts accounts)
    {
        var context = $"{tally.Describe()}\n  the gateway counted {accounts}";
        Assert.True(tally.ArrivalsOf(id) is [CopyVerdict.Incomplete], $"the answered copy {id} must arrive once, as much of it as the mirror read: {context}");
        Assert.True(accounts.Failed == 0, $"the answered copy must be counted sent, not failed: {context}");
    }
}

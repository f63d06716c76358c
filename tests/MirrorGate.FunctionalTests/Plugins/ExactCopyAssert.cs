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
    /// After a connection broke mid-body without an answer: each of <paramref name="ids"/> arrived
    /// at most once and exact, nothing arrived altered, and every one that did not arrive was
    /// counted failed (never sent): a copy handed to the broken connection before the break is not
    /// sent again, so whether the copies behind the cut one were already written when the mirror
    /// closed decides between "arrived" and "failed", never between "exact" and "altered".
    /// </summary>
    public static void ArrivedAtMostOnceExactMissingCountedFailed(CopyTally tally, IReadOnlyCollection<string> ids, MirrorAccounts accounts, int cutCopies)
    {
        var context = $"{tally.Describe()}\n  the gateway counted {accounts}";
        Assert.True(tally.Altered == 0 && tally.Faults == 0, $"altered copies: {context}");
        Assert.True(tally.Repeated.Length == 0, $"copies sent twice: {context}");
        Assert.True(ids.All(id => tally.ArrivalsOf(id) is [] or [CopyVerdict.Exact]), $"copies not exact: {context}");
        var missing = tally.Missing(ids).Length;
        Assert.True(accounts.Outcomes == accounts.Sampled, $"sampled is not sent + failed + dropped: {context}");
        Assert.True(accounts.Sent2xx == ids.Count - missing, $"expected {ids.Count - missing} copies counted sent 2xx: {context}");
        Assert.True(accounts.Failed == cutCopies + missing, $"expected the cut copy and the {missing} missing ones counted failed: {context}");
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

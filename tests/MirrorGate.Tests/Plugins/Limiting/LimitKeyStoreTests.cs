using MirrorGate.Plugins.Limiting;
using MirrorGate.Tests.TestSupport;

namespace MirrorGate.Tests.Plugins.Limiting;

public sealed class LimitKeyStoreTests
{
    [Fact]
    public void Update_SameKey_SeesOneEntry_OtherKeysApart()
    {
        var store = new LimitKeyStore<Tally>(new ManualTimeProvider());

        Assert.Equal(1, store.Update("a", 1L, Add));
        Assert.Equal(3, store.Update("a", 2L, Add));
        Assert.Equal(5, store.Update("b", 5L, Add));
        Assert.Equal(2, store.Count);
    }

    [Fact]
    public void Update_PassesTheClocksTimestamp()
    {
        var time = new ManualTimeProvider();
        var store = new LimitKeyStore<Tally>(time);
        time.Advance(TimeSpan.FromSeconds(3));

        var seen = store.Update("a", 0, static (_, _, now) => now);

        Assert.Equal(time.GetTimestamp(), seen);
    }

    [Fact]
    public void Sweep_DropsIdleEntries_KeepsBusyOnes_DroppedKeyStartsAfresh()
    {
        var store = new LimitKeyStore<Tally>(new ManualTimeProvider());
        store.Update("idle", 0L, Add);
        store.Update("busy", 4L, Add);

        store.Sweep(0);

        Assert.Equal(1, store.Count);
        Assert.Equal(5, store.Update("busy", 1L, Add));
        Assert.Equal(1, store.Update("idle", 1L, Add));
    }

    [Fact]
    public void UpdateExisting_MissingKey_CreatesNothing()
    {
        var store = new LimitKeyStore<Tally>(new ManualTimeProvider());

        store.UpdateExisting("absent", static tally => tally.Value--);

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Update_EntrySweptWhileWaitingForItsLock_RetriesOnAFreshEntry()
    {
        var store = new LimitKeyStore<Tally>(new ManualTimeProvider());
        Tally? first = null;
        store.Update("k", 0L, (tally, _, _) => (first = tally).Value);
        long result = -1;
        var updater = new Thread(() => result = store.Update("k", 1L, Add));

        // Holding the entry's lock parks the updater between its lookup and its lock; the sweep
        // (re-entering the lock on this thread) then drops the idle entry under it.
        lock (first!)
        {
            updater.Start();
            // The runtime does not always report a thread blocked in Monitor.Enter as WaitSleepJoin
            // (seen once on a loaded machine): after a bounded wait the sweep runs anyway, and the
            // updater then either took the swept entry (and must retry) or had not looked yet.
            SpinWait.SpinUntil(() => (updater.ThreadState & ThreadState.WaitSleepJoin) != 0, TimeSpan.FromSeconds(5));
            store.Sweep(0);
        }

        updater.Join();
        Assert.True(first.Removed);
        Assert.Equal(0, first.Value);
        Assert.Equal(1, result);
        Assert.Equal(1, store.Update("k", 0L, Add));
    }

    private static long Add(Tally tally, long amount, long now) => tally.Value += amount;

    private sealed class Tally : LimitKeyStore<Tally>.Entry
    {
        public long Value;

        public override bool IsIdle(long now, long frequency) => Value == 0;
    }
}

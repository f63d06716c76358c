using System.Collections.Concurrent;

namespace MirrorGate.Plugins.Limiting;

/// <summary>
/// The limit plugins' node-wide state per key, as APISIX keeps it in a shared dict: one store per
/// node outlives snapshots, so counts survive a rebuild (the key carries the config's scope, so a
/// changed config starts fresh). Each key's entry is updated under its own lock, so keys never
/// contend; entries that have gone back to "as if never seen" are swept off the request path at
/// most once a second, so memory follows the keys active recently.
/// </summary>
internal sealed class LimitKeyStore<TEntry>(TimeProvider time)
    where TEntry : LimitKeyStore<TEntry>.Entry, new()
{
    // A sweep walks every key; once a second bounds its cost while idle entries wait at most that long.
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, TEntry> _entries = new(StringComparer.Ordinal);
    private long _nextSweep;
    private int _sweeping;

    /// <summary>Keys currently held (tests and diagnostics).</summary>
    public int Count => _entries.Count;

    public long TimestampFrequency => time.TimestampFrequency;

    /// <summary>
    /// Runs <paramref name="update"/> on <paramref name="key"/>'s entry (created when missing) under
    /// its lock, with the current timestamp. A static lambda and a struct state keep it allocation-free.
    /// </summary>
    public TResult Update<TState, TResult>(string key, TState state, Func<TEntry, TState, long, TResult> update)
    {
        var now = time.GetTimestamp();
        MaybeSweep(now);
        while (true)
        {
            var entry = _entries.GetOrAdd(key, static _ => new TEntry());
            lock (entry)
            {
                // The sweep removed this entry between the lookup and the lock: take the new one.
                if (entry.Removed)
                {
                    continue;
                }

                return update(entry, state, now);
            }
        }
    }

    /// <summary>Runs <paramref name="update"/> on <paramref name="key"/>'s entry under its lock when it exists.</summary>
    public void UpdateExisting(string key, Action<TEntry> update)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            lock (entry)
            {
                update(entry);
            }
        }
    }

    /// <summary>Drops the entries that are idle at <paramref name="now"/>. Internal so tests sweep deterministically.</summary>
    internal void Sweep(long now)
    {
        try
        {
            foreach (var (key, entry) in _entries)
            {
                lock (entry)
                {
                    if (!entry.IsIdle(now, time.TimestampFrequency))
                    {
                        continue;
                    }

                    entry.Removed = true;
                }

                _entries.TryRemove(new KeyValuePair<string, TEntry>(key, entry));
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private void MaybeSweep(long now)
    {
        if (now < Volatile.Read(ref _nextSweep) || Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        Volatile.Write(ref _nextSweep, now + (long)(SweepEvery.TotalSeconds * time.TimestampFrequency));
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.store.Sweep(state.now), (store: this, now), preferLocal: false);
    }

    /// <summary>One key's state; read and written only under its own lock.</summary>
    internal abstract class Entry
    {
        /// <summary>Set by the sweep under the lock; an updater that finds it set retries with a fresh entry.</summary>
        public bool Removed;

        /// <summary>Whether the entry is the same as no entry at <paramref name="now"/>, so the sweep may drop it.</summary>
        public abstract bool IsIdle(long now, long frequency);
    }
}

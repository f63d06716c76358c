using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>Counts a store's Changed events so tests can wait (bounded) for the next one.</summary>
internal sealed class ChangeCounter : IDisposable
{
    private readonly IConfigStore _store;
    private int _count;

    public ChangeCounter(IConfigStore store)
    {
        _store = store;
        store.Changed += OnChanged;
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Waits until more than <paramref name="seen"/> events were raised; fails the test after the timeout.</summary>
    public async Task WaitForMoreThanAsync(int seen, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (Count <= seen)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Changed was raised {Count} time(s); waited for more than {seen}");
            }

            await Task.Delay(20);
        }
    }

    private void OnChanged() => Interlocked.Increment(ref _count);

    public void Dispose() => _store.Changed -= OnChanged;
}

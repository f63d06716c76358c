namespace MirrorGate.Tests.Mirroring;

/// <summary>
/// Lets a test wait, bounded, until a condition on something that changes holds: whoever changes
/// it calls <see cref="Changed"/>, and the waiter re-checks then instead of polling.
/// </summary>
internal sealed class ChangeSignal
{
    private readonly SemaphoreSlim _changed = new(0);

    public void Changed() => _changed.Release();

    /// <summary>Returns once <paramref name="condition"/> holds; throws with <paramref name="failure"/>'s text after the timeout (15 s by default).</summary>
    public async Task WaitUntilAsync(Func<bool> condition, Func<string> failure, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _changed.WaitAsync(left))
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException(failure());
            }
        }
    }
}

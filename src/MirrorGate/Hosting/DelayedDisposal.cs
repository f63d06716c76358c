namespace MirrorGate.Hosting;

/// <summary>
/// Disposes something after a grace period: connection pools that a newer config replaced are
/// closed only once requests still running on them have had time to finish.
/// </summary>
internal static class DelayedDisposal
{
    public static void Schedule(IDisposable disposable, TimeSpan delay, TimeProvider time)
    {
        ITimer? timer = null;
        timer = time.CreateTimer(_ =>
        {
            disposable.Dispose();
            timer?.Dispose();
        }, null, delay, Timeout.InfiniteTimeSpan);
    }
}

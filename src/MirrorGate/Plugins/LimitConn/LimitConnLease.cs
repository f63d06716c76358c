namespace MirrorGate.Plugins.LimitConn;

/// <summary>
/// The request's place in a limit-conn count, kept as a typed feature from the access phase to
/// the log phase, which gives it back whatever ended the request (answer, upstream failure,
/// client gone). Given back once only.
/// </summary>
internal sealed class LimitConnLease(ConnectionCounters counters, string key)
{
    private int _released;

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            counters.Leave(key);
        }
    }
}

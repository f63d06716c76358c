namespace MirrorGate.Etcd;

/// <summary>Delays between attempts to reach etcd: 100 ms doubling up to 5 s.</summary>
internal sealed class Backoff
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Maximum = TimeSpan.FromSeconds(5);
    private TimeSpan _next = Initial;

    public TimeSpan Next()
    {
        var delay = _next;
        _next = _next * 2 < Maximum ? _next * 2 : Maximum;
        return delay;
    }

    public void Reset() => _next = Initial;
}

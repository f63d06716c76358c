namespace MirrorGate.Observability.Apisix;

/// <summary>One counter series: an Interlocked running total.</summary>
internal sealed class ApisixCounter
{
    private long _value;

    public long Value => Volatile.Read(ref _value);

    public void Add(long amount) => Interlocked.Add(ref _value, amount);
}

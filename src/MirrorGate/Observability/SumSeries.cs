namespace MirrorGate.Observability;

/// <summary>
/// One counter, up-down counter or gauge series. Integer instruments use the long (exact, printed
/// without exponent); floating-point instruments use the double. Updates are Interlocked, so
/// concurrent recorders never lose an increment and never take a lock.
/// </summary>
internal sealed class SumSeries(TagSet tags)
{
    private long _long;
    private double _double;

    public TagSet Tags { get; } = tags;

    public long LongValue => Volatile.Read(ref _long);

    public double DoubleValue => Volatile.Read(ref _double);

    public void Add(long delta) => Interlocked.Add(ref _long, delta);

    public void Add(double delta) => AtomicDouble.Add(ref _double, delta);

    public void Set(long value) => Interlocked.Exchange(ref _long, value);

    public void Set(double value) => Interlocked.Exchange(ref _double, value);
}

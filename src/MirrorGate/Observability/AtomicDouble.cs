namespace MirrorGate.Observability;

/// <summary>There is no Interlocked.Add for double; this is the compare-and-swap loop that stands in for it.</summary>
internal static class AtomicDouble
{
    public static void Add(ref double location, double delta)
    {
        var current = Volatile.Read(ref location);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref location, current + delta, current);

            // Compare bits, not values: NaN != NaN would otherwise spin forever.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }
}

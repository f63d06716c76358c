namespace MirrorGate.Configuration;

/// <summary>
/// nginx's time syntax, which APISIX users write in <c>config.yaml</c> (<c>60s</c>, <c>2000ms</c>,
/// <c>1m30s</c>): so timeouts copied from an APISIX config mean the same here.
/// </summary>
/// <remarks>
/// Units: <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c>, <c>w</c>, <c>M</c> (30 days), <c>y</c> (365 days).
/// As nginx: components go from the largest unit to the smallest, each unit at most once, spaces
/// between components are allowed, a number without a unit means seconds, and there are no
/// fractions or signs.
/// </remarks>
internal static class NginxTime
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        long totalMs = 0;
        var lastRank = int.MaxValue;
        var i = 0;
        try
        {
            while (i < span.Length)
            {
                if (span[i] == ' ')
                {
                    i++;
                    continue;
                }

                var start = i;
                long number = 0;
                while (i < span.Length && char.IsAsciiDigit(span[i]))
                {
                    number = checked((number * 10) + (span[i] - '0'));
                    i++;
                }

                if (i == start)
                {
                    return false;
                }

                var (rank, unitMs, length) = Unit(span[i..]);
                if (rank < 0 || rank >= lastRank)
                {
                    // Unknown unit, or units out of order / repeated ("1s1m", "1s1s"): nginx rejects both.
                    return false;
                }

                lastRank = rank;
                i += length;
                totalMs = checked(totalMs + checked(number * unitMs));
            }
        }
        catch (OverflowException)
        {
            return false;
        }

        if (totalMs > (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>The unit at the start of <paramref name="rest"/>: rank (larger = bigger unit), milliseconds, characters used.</summary>
    private static (int Rank, long Milliseconds, int Length) Unit(ReadOnlySpan<char> rest)
    {
        const long Second = 1000, Minute = 60 * Second, Hour = 60 * Minute, Day = 24 * Hour;
        if (rest.IsEmpty || rest[0] == ' ')
        {
            // A bare number is seconds (nginx's is_sec); it must be the last, smallest component
            // above milliseconds, so it ranks as seconds.
            return (1, Second, 0);
        }

        return rest[0] switch
        {
            'y' => (7, 365 * Day, 1),
            'M' => (6, 30 * Day, 1),
            'w' => (5, 7 * Day, 1),
            'd' => (4, Day, 1),
            'h' => (3, Hour, 1),
            'm' when rest.Length > 1 && rest[1] == 's' => (0, 1, 2),
            'm' => (2, Minute, 1),
            's' => (1, Second, 1),
            _ => (-1, 0, 0),
        };
    }
}

using System.Globalization;
using System.Text;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// <c>$time_local</c> (<c>27/Nov/2026:13:45:01 +0000</c>), <c>$time_iso8601</c>
/// (<c>2026-11-27T13:45:01+00:00</c>) and <c>$msec</c> for the moment a line is written, in the
/// node's local time zone as nginx does. The two texts change once a second, so they are
/// formatted once per second and shared (as nginx caches its time strings); a request only
/// reads the clock.
/// </summary>
internal sealed class AccessLogClock(TimeProvider time)
{
    private Second? _current;

    public DateTimeOffset Now() => time.GetUtcNow();

    public ReadOnlySpan<byte> TimeLocal(DateTimeOffset utcNow) => At(utcNow).TimeLocal;

    public ReadOnlySpan<byte> TimeIso8601(DateTimeOffset utcNow) => At(utcNow).TimeIso8601;

    private Second At(DateTimeOffset utcNow)
    {
        var unixSecond = utcNow.ToUnixTimeSeconds();
        var current = Volatile.Read(ref _current);
        if (current is not null && current.UnixSecond == unixSecond)
        {
            return current;
        }

        // Two threads crossing a second may both format it; either result is the same text.
        var local = TimeZoneInfo.ConvertTime(utcNow, time.LocalTimeZone);
        current = new Second(
            unixSecond,
            Encoding.ASCII.GetBytes(local.ToString("dd/MMM/yyyy:HH:mm:ss ", CultureInfo.InvariantCulture) + Offset(local.Offset, colon: false)),
            Encoding.ASCII.GetBytes(local.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + Offset(local.Offset, colon: true)));
        Volatile.Write(ref _current, current);
        return current;
    }

    private static string Offset(TimeSpan offset, bool colon)
    {
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return colon
            ? $"{sign}{abs.Hours:00}:{abs.Minutes:00}"
            : $"{sign}{abs.Hours:00}{abs.Minutes:00}";
    }

    private sealed record Second(long UnixSecond, byte[] TimeLocal, byte[] TimeIso8601);
}

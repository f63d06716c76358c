namespace MirrorGate.Configuration;

/// <summary>
/// nginx's size syntax (<c>512</c>, <c>64k</c>, <c>10m</c>, <c>1g</c>; case-insensitive units,
/// powers of 1024), for byte limits such as <c>plugin_attr.proxy-mirror.max_body_size</c>.
/// </summary>
internal static class NginxSize
{
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var span = text.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return false;
        }

        long scale = char.ToLowerInvariant(span[^1]) switch
        {
            'k' => 1L << 10,
            'm' => 1L << 20,
            'g' => 1L << 30,
            _ => 1,
        };
        if (scale != 1)
        {
            span = span[..^1];
        }

        if (span.IsEmpty)
        {
            return false;
        }

        long number = 0;
        foreach (var c in span)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            if (number > (long.MaxValue - (c - '0')) / 10)
            {
                return false;
            }

            number = (number * 10) + (c - '0');
        }

        if (number > long.MaxValue / scale)
        {
            return false;
        }

        bytes = number * scale;
        return true;
    }
}

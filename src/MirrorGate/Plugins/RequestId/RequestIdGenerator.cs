using System.Numerics;

namespace MirrorGate.Plugins.RequestId;

/// <summary>
/// Makes ids the way APISIX's request-id does, from an injected random source and clock:
/// <c>uuid</c> (random, version 4), <c>uuidv7</c> (48-bit Unix milliseconds, then an 18-bit
/// sequence within the millisecond, so ids made one after another sort in order even when the
/// clock steps back), <c>nanoid</c> (21 characters of the standard 64-letter alphabet),
/// <c>range_id</c> (<c>length</c> characters drawn from <c>char_set</c>) and <c>ksuid</c> (27
/// base62 characters: seconds since 2014-05-13 and 16 random bytes). Thread-safe.
/// </summary>
internal sealed class RequestIdGenerator(RequestIdAlgorithm algorithm, int rangeLength, string rangeCharSet, Random random, TimeProvider time)
{
    private const string NanoidAlphabet = "-_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const long KsuidEpoch = 1_400_000_000;
    private const int V7SequenceBits = 18;
    private const long V7SequenceMax = (1 << V7SequenceBits) - 1;

    // uuidv7's (millisecond << 18 | sequence), advanced with compare-and-swap: no lock on the request path.
    private long _v7State;

    public string Next() => algorithm switch
    {
        RequestIdAlgorithm.UuidV7 => UuidV7(),
        RequestIdAlgorithm.Nanoid => Nanoid(),
        RequestIdAlgorithm.RangeId => RangeId(),
        RequestIdAlgorithm.Ksuid => Ksuid(),
        _ => UuidV4(),
    };

    private string UuidV4()
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return FormatUuid(bytes);
    }

    private string UuidV7()
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        long next;
        while (true)
        {
            var last = Volatile.Read(ref _v7State);
            var lastMs = last >> V7SequenceBits;
            var sequence = last & V7SequenceMax;
            // A clock that stepped back keeps the last millisecond; a full millisecond moves to the
            // next one (APISIX waits for the clock there; a request thread should not spin).
            next = now > lastMs ? now << V7SequenceBits
                : sequence < V7SequenceMax ? last + 1
                : (lastMs + 1) << V7SequenceBits;
            if (Interlocked.CompareExchange(ref _v7State, next, last) == last)
            {
                break;
            }
        }

        var ms = next >> V7SequenceBits;
        var seq = next & V7SequenceMax;
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes[9..]);
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(ms >> (8 * (5 - i)));
        }

        var seqHigh = seq >> 6;
        bytes[6] = (byte)(0x70 | (seqHigh >> 8));
        bytes[7] = (byte)seqHigh;
        bytes[8] = (byte)(0x80 | (seq & 0x3F));
        return FormatUuid(bytes);
    }

    private string Nanoid()
    {
        Span<byte> bytes = stackalloc byte[21];
        random.NextBytes(bytes);
        return string.Create(21, bytes.ToArray(), static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = NanoidAlphabet[source[i] & 63];
            }
        });
    }

    private string RangeId() => new(random.GetItems(rangeCharSet.AsSpan(), rangeLength));

    private string Ksuid()
    {
        var bytes = new byte[20];
        var seconds = (uint)(time.GetUtcNow().ToUnixTimeSeconds() - KsuidEpoch);
        bytes[0] = (byte)(seconds >> 24);
        bytes[1] = (byte)(seconds >> 16);
        bytes[2] = (byte)(seconds >> 8);
        bytes[3] = (byte)seconds;
        random.NextBytes(bytes.AsSpan(4));
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        var chars = new char[27];
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            value = BigInteger.DivRem(value, 62, out var digit);
            chars[i] = Base62[(int)digit];
        }

        return new string(chars);
    }

    private static string FormatUuid(ReadOnlySpan<byte> bytes)
    {
        var hex = Convert.ToHexStringLower(bytes);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }
}

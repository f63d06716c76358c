namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// Decodes standard base64 (<c>+</c>, <c>/</c>) fed in pieces of any size: a quantum split between
/// two reads is carried over (at most three characters). Like nginx's <c>decode_base64</c>, any
/// other character (white space too) is an error and the final quantum may come without its
/// padding; unlike it, decoding goes on after a padded quantum, so a body made of several padded
/// segments (as gRPC-Web text writers may send) decodes whole instead of stopping at the first <c>=</c>.
/// </summary>
internal sealed class Base64StreamDecoder
{
    private static readonly sbyte[] Values = BuildValues();

    private int _bits;
    private int _chars; // characters of the current quantum
    private int _pads;  // '=' seen in the current quantum

    /// <summary>The most bytes <see cref="Decode"/> can write for <paramref name="inputLength"/> characters (with a carried-over quantum).</summary>
    public static int MaxDecodedLength(int inputLength) => (inputLength + 3) / 4 * 3;

    /// <summary>Decodes <paramref name="input"/> into <paramref name="output"/>; the bytes written, or -1 when the input is not base64.</summary>
    public int Decode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = 0;
        foreach (var c in input)
        {
            if (c == (byte)'=')
            {
                // "A=" and "=" alone have no byte to close; a quantum has four places.
                if (_chars < 2)
                {
                    return -1;
                }

                _pads++;
                if (_chars + _pads == 4)
                {
                    written += Emit(output[written..]);
                }

                continue;
            }

            var value = Values[c];
            if (value < 0 || _pads > 0)
            {
                return -1;
            }

            _bits = (_bits << 6) | (byte)value;
            if (++_chars == 4)
            {
                written += Emit(output[written..]);
            }
        }

        return written;
    }

    /// <summary>The end of the input: the bytes of an unpadded last quantum (0 to 2), or -1 when one character was left over.</summary>
    public int Finish(Span<byte> output)
    {
        if (_chars == 0)
        {
            return 0;
        }

        return _chars == 1 ? -1 : Emit(output);
    }

    private int Emit(Span<byte> output)
    {
        int count;
        switch (_chars)
        {
            case 4:
                output[0] = (byte)(_bits >> 16);
                output[1] = (byte)(_bits >> 8);
                output[2] = (byte)_bits;
                count = 3;
                break;
            case 3:
                output[0] = (byte)(_bits >> 10);
                output[1] = (byte)(_bits >> 2);
                count = 2;
                break;
            default:
                output[0] = (byte)(_bits >> 4);
                count = 1;
                break;
        }

        _bits = 0;
        _chars = 0;
        _pads = 0;
        return count;
    }

    private static sbyte[] BuildValues()
    {
        var values = new sbyte[256];
        Array.Fill(values, (sbyte)-1);
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (var i = 0; i < alphabet.Length; i++)
        {
            values[alphabet[i]] = (sbyte)i;
        }

        return values;
    }
}

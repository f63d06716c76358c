using System.Buffers;
using System.Buffers.Text;
using System.Text;
using MirrorGate.Configuration;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// One access log line being written, in a byte array rented from the shared pool: the array
/// travels to the writer thread with the line and goes back to the pool once written, so a
/// request allocates nothing for its line.
/// </summary>
internal ref struct AccessLogLineBuilder
{
    private byte[] _buffer;
    private int _length;

    public AccessLogLineBuilder(int initialCapacity, AccessLogEscape escape)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        Escape = escape;
    }

    public AccessLogEscape Escape { get; }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Room for at least <paramref name="count"/> more bytes; call <see cref="Advance"/> with what was used.</summary>
    public Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Bytes known to need no escaping (literal text of the format, numbers, times).</summary>
    public void AppendAscii(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Characters known to be printable ASCII and free of <c>"</c> and <c>\</c>.</summary>
    public void AppendAscii(scoped ReadOnlySpan<char> chars)
    {
        var dest = Reserve(chars.Length);
        Ascii.FromUtf16(chars, dest, out var written);
        _length += written;
    }

    /// <summary>A variable's value, escaped per <c>access_log_format_escape</c>.</summary>
    public void AppendValue(scoped ReadOnlySpan<char> value) => AccessLogEscaper.Write(ref this, value, Escape);

    /// <summary>A variable without a value: nginx writes <c>-</c>, and nothing with <c>escape=json</c>.</summary>
    public void AppendMissing()
    {
        if (Escape != AccessLogEscape.Json)
        {
            AppendAscii("-"u8);
        }
    }

    public void AppendNumber(long value)
    {
        var dest = Reserve(20);
        Utf8Formatter.TryFormat(value, dest, out var written);
        _length += written;
    }

    /// <summary>nginx's seconds with millisecond resolution: <c>0.005</c>, <c>12.340</c>.</summary>
    public void AppendSeconds(TimeSpan elapsed)
    {
        var ms = Math.Max(0L, (long)elapsed.TotalMilliseconds);
        AppendNumber(ms / 1000);
        var dest = Reserve(4);
        var fraction = (int)(ms % 1000);
        dest[0] = (byte)'.';
        dest[1] = (byte)('0' + (fraction / 100));
        dest[2] = (byte)('0' + (fraction / 10 % 10));
        dest[3] = (byte)('0' + (fraction % 10));
        _length += 4;
    }

    /// <summary>Hands the array and the line's length over (to the writer queue); this builder is then empty.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (_buffer, _length);
        _buffer = [];
        _length = 0;
        return result;
    }

    /// <summary>Gives the array back to the pool when the line is not handed over.</summary>
    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _length = 0;
    }
}

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// The first bytes of an answer's body, up to a limit, and the count of every byte seen. The
/// kept bytes go to a comparison that may hold them for a while (a kept mismatch), so they live
/// in a plain array of their own rather than a pooled one: it grows by doubling from a small
/// start (or is sized at once from a declared length), never beyond the limit.
/// </summary>
internal sealed class ResponseCaptureBody
{
    private const int FirstSize = 4096;

    private readonly int _limit;
    private byte[] _bytes = [];
    private int _kept;

    public ResponseCaptureBody(int limit) => _limit = Math.Max(0, limit);

    /// <summary>Every body byte seen, kept or not.</summary>
    public long Length { get; private set; }

    /// <summary>True once no more bytes will be kept (the limit is reached).</summary>
    public bool Full => _kept == _limit;

    public ReadOnlyMemory<byte> Kept => _bytes.AsMemory(0, _kept);

    /// <summary>The body's announced length: lets the array be sized once instead of grown.</summary>
    public void Expect(long length)
    {
        if (_bytes.Length == 0 && length > 0)
        {
            _bytes = new byte[(int)Math.Min(length, _limit)];
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        var take = Math.Min(_limit - _kept, data.Length);
        if (take <= 0)
        {
            return;
        }

        var needed = _kept + take;
        if (needed > _bytes.Length)
        {
            var size = Math.Min(_limit, Math.Max(needed, Math.Max(FirstSize, _bytes.Length * 2)));
            Array.Resize(ref _bytes, size);
        }

        data[..take].CopyTo(_bytes.AsSpan(_kept));
        _kept = needed;
    }
}

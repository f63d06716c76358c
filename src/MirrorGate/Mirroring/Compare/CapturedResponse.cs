namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// One answer as a comparison sees it: the primary's response as the client got it, or a mirror
/// target's answer to its copy. Headers are kept in the order received (names as sent, values
/// unjoined); of the body only the first bytes are kept (the compare block's <c>body_bytes</c>),
/// with the total length seen, so a comparison knows when it looked at a prefix only.
/// </summary>
internal sealed class CapturedResponse
{
    public required int Status { get; init; }

    public required KeyValuePair<string, string[]>[] Headers { get; init; }

    /// <summary>The first bytes of the body (at most the capture's limit); empty when there was none.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Every body byte seen, kept or not.</summary>
    public required long BodyLength { get; init; }

    /// <summary>True when the body was longer than what was kept.</summary>
    public bool Truncated => BodyLength > Body.Length;
}

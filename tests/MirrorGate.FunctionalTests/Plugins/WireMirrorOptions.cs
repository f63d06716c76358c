namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>How a <see cref="WireMirror"/> answers the copies it reads.</summary>
internal sealed record WireMirrorOptions
{
    /// <summary>
    /// Body bytes read before the answer: 0 answers as soon as the head is read, as nginx's
    /// <c>return 200;</c> does; null answers once the whole body is read. The rest of the body is
    /// read after an early answer, and checked like any other.
    /// </summary>
    public long? AnswerAfterBodyBytes { get; init; }

    /// <summary>
    /// Requests served on one connection: the last one's answer says <c>Connection: close</c> and
    /// the mirror reads no further request there (nginx's <c>keepalive_requests</c>, 1000 by default).
    /// </summary>
    public int KeepAliveRequests { get; init; } = int.MaxValue;

    /// <summary>
    /// SO_RCVBUF of the mirror's sockets, or null for the kernel's autotuning. A small one keeps the
    /// window small, so a sender cannot park a large body in socket buffers (Linux grows a
    /// sender's buffer only while the window allows): a body of a few MiB is still being written
    /// when the mirror answers early or cuts it, as with a mirror across a real network.
    /// </summary>
    public int? ReceiveBufferBytes { get; init; }
}

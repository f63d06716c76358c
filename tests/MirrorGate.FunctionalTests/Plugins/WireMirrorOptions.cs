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
}

namespace MirrorGate.Mirroring;

/// <summary>The way copies reach one mirror origin: HTTP/1.1 connections, or HTTP/2 for gRPC.</summary>
internal interface IMirrorLane
{
    /// <summary>
    /// At most this much of one mirror answer is read and discarded; a longer one ends its
    /// connection (the copy counts as answered) rather than spending the gateway's CPU on it.
    /// </summary>
    public const int MaxAnswerBytes = 1024 * 1024;

    /// <summary>Takes a copy already counted as queued; never blocks, never throws.</summary>
    void Enqueue(MirrorCopy copy);

    /// <summary>Abandons whatever is still queued or in flight (the node is stopping).</summary>
    void Stop();
}

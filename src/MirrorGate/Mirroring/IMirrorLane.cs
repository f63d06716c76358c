namespace MirrorGate.Mirroring;

/// <summary>The way copies reach one mirror origin: HTTP/1.1 connections, or HTTP/2 for gRPC.</summary>
internal interface IMirrorLane
{
    /// <summary>Takes a copy already counted as queued; never blocks, never throws.</summary>
    void Enqueue(MirrorRequest request);

    /// <summary>Enforces timeouts and closes idle connections; called a few times a second.</summary>
    void Sweep(long now);

    /// <summary>Abandons whatever is still queued or in flight (the node is stopping).</summary>
    void Stop();
}

namespace MirrorGate.Balancing;

/// <summary>
/// One upstream node as configured: host (name, IPv4, or IPv6 without brackets), port, weight and
/// priority. <see cref="Authority"/> is what goes into the destination URI and, for
/// <c>pass_host: node</c>, the Host header.
/// </summary>
internal sealed class UpstreamNode
{
    public UpstreamNode(string host, int port, int weight, int priority, bool portWasExplicit = true)
    {
        Host = host;
        Port = port;
        Weight = weight;
        Priority = priority;
        PortWasExplicit = portWasExplicit;
        var hostPart = host.Contains(':') ? $"[{host}]" : host;
        Authority = $"{hostPart}:{port}";
        HostHeaderForPassNode = portWasExplicit ? Authority : hostPart;
    }

    public string Host { get; }

    public int Port { get; }

    public int Weight { get; }

    public int Priority { get; }

    public bool PortWasExplicit { get; }

    /// <summary><c>host:port</c>, IPv6 in brackets.</summary>
    public string Authority { get; }

    /// <summary>Host header for <c>pass_host: node</c>: the node's host, with the port when one was configured.</summary>
    public string HostHeaderForPassNode { get; }

    public override string ToString() => Authority;
}

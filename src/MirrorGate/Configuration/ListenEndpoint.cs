using System.Net;

namespace MirrorGate.Configuration;

/// <summary>One proxy listener from <c>apisix.node_listen</c>.</summary>
/// <param name="Ip">A literal IP address, normalized (no brackets); 0.0.0.0 when the item gave only a port, as APISIX.</param>
/// <param name="EnableHttp2">h2c beside HTTP/1.1 on this port (APISIX's option; gRPC clients need it).</param>
internal sealed record ListenEndpoint(string Ip, int Port, bool EnableHttp2)
{
    public IPEndPoint ToIPEndPoint() => new(IPAddress.Parse(Ip), Port);
}

/// <summary>An <c>{ip, port}</c> pair for the Admin API and the Prometheus exporter.</summary>
internal sealed record ListenAddress(string Ip, int Port)
{
    public IPEndPoint ToIPEndPoint() => new(IPAddress.Parse(Ip), Port);

    public override string ToString() => ToIPEndPoint().ToString();
}

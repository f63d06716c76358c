using System.Net;
using System.Net.Sockets;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>Picks a free TCP port on 127.0.0.1 for a server a test starts.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

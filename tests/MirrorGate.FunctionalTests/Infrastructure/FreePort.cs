using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>Picks a free TCP port on 127.0.0.1 for a server a test starts.</summary>
internal static class FreePort
{
    // The kernel may hand the same ephemeral port out again as soon as the probe closes, so two
    // calls in a row (a node's proxy and admin ports) could get one port; never repeat one.
    private static readonly ConcurrentDictionary<int, bool> Given = new();

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (Given.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}

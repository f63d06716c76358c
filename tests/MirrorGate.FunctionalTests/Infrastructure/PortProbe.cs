using System.Diagnostics;
using System.Net.Sockets;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>Waits for a server process a test started (the gateway, nginx) to accept connections on 127.0.0.1.</summary>
internal static class PortProbe
{
    /// <summary>
    /// Tries to connect until it works, bounded by <paramref name="timeout"/>. Stops early with an
    /// <see cref="InvalidOperationException"/> carrying <paramref name="exited"/>'s text once that
    /// returns one (the process is gone); after the timeout, a <see cref="TimeoutException"/> with <paramref name="silent"/>'s.
    /// </summary>
    public static async Task WaitUntilAcceptingAsync(int port, TimeSpan timeout, Func<string?> exited, Func<string> silent)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (exited() is { } why)
            {
                throw new InvalidOperationException(why);
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(2));
                return;
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException)
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException(silent());
                }

                await Task.Delay(20);
            }
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>Small pieces the proxy-mirror tests share: route JSON, bounded polling, body helpers.</summary>
internal static class MirrorTestKit
{
    /// <summary>A route with proxy-mirror: <paramref name="mirrorJson"/> is the inside of the plugin object.</summary>
    public static string Route(string uri, string mirrorJson, string upstreamAddress, string upstreamExtra = "")
        => $$"""
            {"uri":"{{uri}}","plugins":{"proxy-mirror":{ {{mirrorJson}} } },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1}{{upstreamExtra}} } }
            """;

    /// <summary>Polls a metric sum until it reaches <paramref name="atLeast"/> (bounded); returns the last value seen.</summary>
    public static async Task<double> WaitForMetricAsync(GatewayNode gateway, double atLeast, string name, params string[] labelParts)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var value = await gateway.MetricSumAsync(name, labelParts);
            if (value >= atLeast)
            {
                return value;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"{name} {{{string.Join(',', labelParts)}}} stayed at {value}, expected at least {atLeast}\n{await gateway.MetricsAsync()}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>
    /// Waits (bounded) until every sampled copy to an unreachable mirror has an outcome: failed
    /// (<paramref name="reason"/>) until the circuit breaker opened, dropped (circuit_open) after.
    /// Returns (failed, dropped).
    /// </summary>
    public static async Task<(double Failed, double Dropped)> WaitForUnreachableOutcomesAsync(GatewayNode gateway, int requests, string reason)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var failed = await gateway.MetricSumAsync("mirrorgate_mirror_failed_total", $"reason=\"{reason}\"");
            var dropped = await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", "reason=\"circuit_open\"");
            if (failed + dropped >= requests)
            {
                return (failed, dropped);
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"failed {failed} + dropped {dropped} < {requests}\n{await gateway.MetricsAsync()}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Polls a metric sum until it falls to <paramref name="atMost"/> (bounded), e.g. buffered bytes returning to 0.</summary>
    public static async Task WaitForMetricAtMostAsync(GatewayNode gateway, double atMost, string name)
    {
        var deadline = Stopwatch.StartNew();
        double value;
        while ((value = await gateway.MetricSumAsync(name)) > atMost)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"{name} stayed at {value}, expected at most {atMost}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Hex SHA-256, so a 20 MiB mismatch shows as two short strings.</summary>
    public static string Sha256(byte[] data) => Convert.ToHexString(SHA256.HashData(data));

    public static byte[] RandomBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>
    /// Sends requests 0..<paramref name="count"/>-1 from <paramref name="loops"/> concurrent loops,
    /// each taking the next number when its last request is done.
    /// </summary>
    public static Task RunConcurrentlyAsync(int count, int loops, Func<int, Task> send)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await send(i);
            }
        })));
    }

    public static string Label(string name, string value) => $"{name}=\"{value}\"";

    /// <summary>A request's headers as sorted <c>name: value</c> lines (lower-case names), without the connection's own <c>Connection</c>.</summary>
    public static string[] HeaderLines(RecordedRequest request)
        => request.Headers
            .Where(h => !h.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key.ToLowerInvariant()}: {h.Value}")
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>A copy's header lines without the mirror marker, after checking the copy carries <paramref name="gateway"/>'s.</summary>
    public static string[] HeaderLinesBesideMarker(RecordedRequest copy, GatewayNode gateway)
    {
        Assert.Equal(gateway.NodeId, copy.Header(MirrorMarker.DefaultHeaderName));
        return HeaderLines(copy).Where(l => !l.StartsWith(MirrorMarker.DefaultHeaderName.ToLowerInvariant() + ":", StringComparison.Ordinal)).ToArray();
    }

    /// <summary>
    /// Sends <paramref name="head"/> (a request line and headers, without the blank line) as
    /// bytes on a new connection, for request forms HttpClient cannot send (<c>OPTIONS *</c>,
    /// CONNECT); returns the answer's status line.
    /// </summary>
    public static async Task<string> RawRequestAsync(int port, string head)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head + "\r\n\r\n"));
        var received = new List<byte>();
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (received.IndexOf((byte)'\n') < 0)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, read));
        }

        return Encoding.Latin1.GetString([.. received]).Split("\r\n")[0];
    }

    /// <summary>A client that keeps one connection and reuses it for every request.</summary>
    public static HttpClient OneConnectionClient() => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 1,
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
    })
    { Timeout = TimeSpan.FromSeconds(30), DefaultRequestVersion = HttpVersion.Version11 };
}

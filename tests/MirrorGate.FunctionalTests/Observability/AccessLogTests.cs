using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.FunctionalTests.Proxy;

namespace MirrorGate.FunctionalTests.Observability;

/// <summary>The access log of a real gateway in front of a real upstream, as an operator reads it.</summary>
public sealed class AccessLogTests
{
    // APISIX's default format, field by field.
    private static readonly Regex DefaultLine = new(
        """^(?<addr>\S+) - (?<user>\S+) \[(?<time>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] (?<host>\S+) "(?<request>[^"]*)" (?<status>\d{3}) (?<bytes>\d+) (?<rt>\d+\.\d{3}) "(?<referer>[^"]*)" "(?<ua>[^"]*)" (?<uaddr>.+?) (?<ustatus>(?:\d{3}(?:, )?)+|-) (?<urt>(?:\d+\.\d{3}(?:, )?)+|-) "(?<target>[^"]*)"$""");

    private static string LogPath(GatewayNode gateway) => Path.Combine(gateway.Directory, "logs", "access.log");

    [Fact]
    public async Task Proxy_RealUpstream_LineInApisixDefaultFormat()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""{"uri":"/alog/*","upstream":{{ProxyKit.To(upstream)}} }""");

        await gateway.BodyAsync("/alog/one?q=1", configure: r =>
        {
            r.Headers.UserAgent.ParseAdd("alog-test/1.0");
            r.Headers.Referrer = new Uri("http://shop.test/cart");
        });

        var line = (await AccessLogFile.WaitForLineAsync(LogPath(gateway), "/alog/one")).Single(l => l.Contains("/alog/one", StringComparison.Ordinal));
        var m = DefaultLine.Match(line);
        Assert.True(m.Success, line);
        Assert.Equal("127.0.0.1", m.Groups["addr"].Value);
        Assert.Equal("-", m.Groups["user"].Value);
        Assert.Equal($"127.0.0.1:{gateway.ProxyPort}", m.Groups["host"].Value);
        Assert.Equal("GET /alog/one?q=1 HTTP/1.1", m.Groups["request"].Value);
        Assert.Equal("200", m.Groups["status"].Value);
        Assert.Equal("12", m.Groups["bytes"].Value); // "hello world\n"
        Assert.Equal("http://shop.test/cart", m.Groups["referer"].Value);
        Assert.Equal("alog-test/1.0", m.Groups["ua"].Value);
        Assert.Equal(upstream.Address, m.Groups["uaddr"].Value);
        Assert.Equal("200", m.Groups["ustatus"].Value);
        // APISIX's $upstream_uri stays empty unless a plugin rewrote the URI.
        Assert.Equal($"http://127.0.0.1:{gateway.ProxyPort}", m.Groups["target"].Value);
        var time = DateTimeOffset.ParseExact(m.Groups["time"].Value, "dd/MMM/yyyy:HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - time, TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Proxy_FirstNodeDead_UpstreamFieldsListEveryAttempt()
    {
        await using var upstream = await RecordingServer.StartAsync();
        var dead = FreePort.Next();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("1", $$"""
            {"uri":"/retry","upstream":{"type":"roundrobin","nodes":[
              {"host":"127.0.0.1","port":{{dead}},"weight":1,"priority":10},
              {"host":"127.0.0.1","port":{{upstream.Port}},"weight":1,"priority":0}] } }
            """);

        await gateway.BodyAsync("/retry");

        var line = (await AccessLogFile.WaitForLineAsync(LogPath(gateway), "/retry")).Single(l => l.Contains("/retry", StringComparison.Ordinal));
        var m = DefaultLine.Match(line);
        Assert.True(m.Success, line);
        Assert.Equal($"127.0.0.1:{dead}, {upstream.Address}", m.Groups["uaddr"].Value);
        Assert.Equal("502, 200", m.Groups["ustatus"].Value);
        Assert.Matches(@"^\d+\.\d{3}, \d+\.\d{3}$", m.Groups["urt"].Value);
    }

    [Fact]
    public async Task NoRoute_404_LineWithDashesForTheUpstream()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var (status, _) = await gateway.SendAsync("/nothing-here");

        Assert.Equal(404, status);
        var line = (await AccessLogFile.WaitForLineAsync(LogPath(gateway), "/nothing-here")).Single(l => l.Contains("/nothing-here", StringComparison.Ordinal));
        var m = DefaultLine.Match(line);
        Assert.True(m.Success, line);
        Assert.Equal("404", m.Groups["status"].Value);
        Assert.Equal("-", m.Groups["uaddr"].Value);
        Assert.Equal("-", m.Groups["ustatus"].Value);
        Assert.Equal("-", m.Groups["urt"].Value);
    }

    [Fact]
    public async Task JsonFormat_RouteVariablesAndEscaping_OneJsonObjectPerLine()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync(extraYaml: $$"""
            nginx_config:
              http:
                access_log: {{Path.Combine(Path.GetTempPath(), "mirrorgate-tests", Guid.NewGuid().ToString("N"), "json.log")}}
                access_log_format_escape: json
                access_log_format: '{"route":"$route_id","name":"$route_name","ua":"$http_user_agent","status":$status,"bytes":$body_bytes_sent,"len":$request_length}'
            """);
        var path = gateway.Services.GetRequiredService<MirrorGate.Configuration.NodeConfig>().Nginx.Http.AccessLog;
        try
        {
            await gateway.PutRouteAsync("r7", $$"""{"uri":"/json","name":"orders","upstream":{{ProxyKit.To(upstream)}} }""");

            await gateway.BodyAsync("/json", method: HttpMethod.Post, configure: r =>
            {
                r.Headers.TryAddWithoutValidation("User-Agent", "quote\" back\\slash");
                r.Content = new StringContent("12345");
            });

            var line = (await AccessLogFile.WaitForLineAsync(path, "\"route\":\"r7\"")).Single();
            using var json = System.Text.Json.JsonDocument.Parse(line);
            Assert.Equal("orders", json.RootElement.GetProperty("name").GetString());
            Assert.Equal("quote\" back\\slash", json.RootElement.GetProperty("ua").GetString());
            Assert.Equal(200, json.RootElement.GetProperty("status").GetInt32());
            Assert.Equal(12, json.RootElement.GetProperty("bytes").GetInt32());
            Assert.True(json.RootElement.GetProperty("len").GetInt32() > 5 + "POST /json HTTP/1.1\r\n".Length);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task Disabled_NoFileWritten()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", Guid.NewGuid().ToString("N"));
        var path = Path.Combine(directory, "off.log");
        await using var upstream = await RecordingServer.StartAsync();
        await using (var gateway = await GatewayNode.StartAsync(extraYaml: $"nginx_config:\n  http: {{enable_access_log: false, access_log: {path}}}"))
        {
            await gateway.PutRouteAsync("1", $$"""{"uri":"/off","upstream":{{ProxyKit.To(upstream)}} }""");
            await gateway.BodyAsync("/off");
        }

        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task DiskBlocked_FifoNobodyReads_RequestsKeepTheirLatencyLinesDroppedAndCounted()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the open(2) flags below are Linux's
        }

        var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var fifo = Path.Combine(directory, "access.fifo");
        Assert.Equal(0, MkFifo(fifo, Convert.ToInt32("600", 8)));

        // Opened for reading and never read: once the pipe's 64 KiB are full, every write(2) blocks.
        var reader = Open(fifo, ORdonly | ONonblock);
        Assert.True(reader >= 0);
        try
        {
            await using var upstream = await RecordingServer.StartAsync();
            await using var gateway = await GatewayNode.StartAsync(extraYaml: $"nginx_config:\n  http: {{access_log: {fifo}, access_log_buffer: 0}}");
            await gateway.PutRouteAsync("1", $$"""{"uri":"/blocked","upstream":{{ProxyKit.To(upstream)}} }""");
            var longAgent = new string('u', 300); // ~450-byte lines: 64 KiB of pipe and 64 KiB of queue hold ~300 of them

            var latencies = new List<double>();
            for (var i = 0; i < 1200; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var (status, _) = await gateway.SendAsync("/blocked", configure: r => r.Headers.TryAddWithoutValidation("User-Agent", longAgent));
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Assert.Equal(200, status);
            }

            var dropped = await gateway.MetricAsync("mirrorgate_access_log_dropped_lines_total");
            Assert.InRange(dropped, 600, 1200);

            // The writer is stuck on the pipe for the whole second half, for good: a request that
            // waited for it would never finish. They kept the latency they had before (bounds
            // generous enough for a loaded 2-core machine).
            var before = Median(latencies.Take(200));
            var blocked = Median(latencies.Skip(1000));
            Assert.True(blocked < Math.Max(50, before * 5), $"median latency {blocked:F2} ms with the disk blocked, {before:F2} ms before");
            Assert.True(latencies.Max() < 5000, $"slowest request {latencies.Max():F0} ms");
            await gateway.Logs.WaitForAsync("lines dropped");
        }
        finally
        {
            // The reader goes: the stuck write fails and the gateway stops without waiting.
            Close(reader);
            Directory.Delete(directory, recursive: true);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private const int ORdonly = 0;
    private const int ONonblock = 0x800;

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, int mode);

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}

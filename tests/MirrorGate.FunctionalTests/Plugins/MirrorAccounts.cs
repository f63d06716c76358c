using System.Diagnostics;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// One route's mirror outcomes on the gateway's Prometheus endpoint. Rule 9: every sampled copy
/// ends as exactly one of sent, failed or dropped, so once all have ended the three add up.
/// </summary>
internal sealed record MirrorAccounts(double Sampled, double Sent, double Sent2xx, double Failed, double FailedError, double Dropped)
{
    /// <summary>
    /// <c>plugin_attr.proxy-mirror</c> lines (under <c>proxy-mirror:</c>) that make a copy waiting
    /// for an answer that cannot come (its body cut short on the wire) fail well within
    /// <see cref="SettledAsync"/>'s wait, so the test reports it instead of timing out.
    /// </summary>
    public const string ShortTimeoutsYaml = "\n    timeout: {read: 10s, send: 10s}";

    public double Outcomes => Sent + Failed + Dropped;

    public static async Task<MirrorAccounts> ReadAsync(GatewayNode gateway, string route)
    {
        var label = MirrorTestKit.Label("route", route);
        return new MirrorAccounts(
            await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total", label),
            await gateway.MetricSumAsync("mirrorgate_mirror_sent_total", label),
            await gateway.MetricSumAsync("mirrorgate_mirror_sent_total", label, "status_class=\"2xx\""),
            await gateway.MetricSumAsync("mirrorgate_mirror_failed_total", label),
            await gateway.MetricSumAsync("mirrorgate_mirror_failed_total", label, "reason=\"error\""),
            await gateway.MetricSumAsync("mirrorgate_mirror_dropped_total", label));
    }

    /// <summary>
    /// Waits (bounded) until <paramref name="sampled"/> copies were sampled on <paramref name="route"/>
    /// and at least as many outcomes were counted, and nothing is queued or in flight; returns what it read.
    /// <paramref name="context"/> adds to the timeout's message (say, what the mirror got).
    /// </summary>
    public static async Task<MirrorAccounts> SettledAsync(GatewayNode gateway, string route, int sampled, Func<string>? context = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var accounts = await ReadAsync(gateway, route);
            if (accounts.Sampled >= sampled && accounts.Outcomes >= accounts.Sampled
                && await gateway.MetricSumAsync("mirrorgate_mirror_in_flight") == 0
                && await gateway.MetricSumAsync("mirrorgate_mirror_queue_depth") == 0)
            {
                return accounts;
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"route {route}: expected {sampled} sampled copies, each with one outcome; got {accounts}\n{context?.Invoke()}\n{await gateway.MetricsAsync()}");
            }

            await Task.Delay(25);
        }
    }
}

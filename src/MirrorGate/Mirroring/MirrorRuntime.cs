namespace MirrorGate.Mirroring;

/// <summary>
/// The node-wide parts of the mirror leg that every route's proxy-mirror handler shares: the
/// dispatcher, the instruments, the live settings and the random source used for sampling.
/// </summary>
internal sealed class MirrorRuntime(
    MirrorDispatcher dispatcher,
    MirrorMetrics metrics,
    Func<ProxyMirrorSettings> settings,
    Func<double> random)
{
    public MirrorDispatcher Dispatcher { get; } = dispatcher;

    public MirrorMetrics Metrics { get; } = metrics;

    /// <summary>The current <c>plugin_attr.proxy-mirror</c> settings (they change when config.yaml does).</summary>
    public ProxyMirrorSettings Settings => settings();

    /// <summary>A uniform draw in [0, 1); injected so sampling can be tested deterministically.</summary>
    public double NextSample() => random();
}

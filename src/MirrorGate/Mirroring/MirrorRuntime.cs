using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MirrorGate.Mirroring;

/// <summary>
/// The node-wide parts of the mirror leg that every route's proxy-mirror handler shares: the
/// dispatcher, the instruments, the live settings, the random source used for sampling and the
/// node's marker.
/// </summary>
internal sealed class MirrorRuntime(
    MirrorDispatcher dispatcher,
    MirrorMetrics metrics,
    Func<ProxyMirrorSettings> settings,
    Func<double> random,
    MirrorMarker marker,
    TimeProvider? time = null,
    ILogger? logger = null)
{
    private readonly ConcurrentDictionary<string, MirrorCircuit> _circuits = new(StringComparer.Ordinal);

    public MirrorDispatcher Dispatcher { get; } = dispatcher;

    public MirrorMetrics Metrics { get; } = metrics;

    /// <summary>The header every copy this node makes carries.</summary>
    public MirrorMarker Marker { get; } = marker;

    /// <summary>The current <c>plugin_attr.proxy-mirror</c> settings (they change when config.yaml does).</summary>
    public ProxyMirrorSettings Settings => settings();

    /// <summary>The clock of circuits and kill switches.</summary>
    public TimeProvider Time { get; } = time ?? TimeProvider.System;

    /// <summary>Where circuits and kill switches log their trips and recoveries.</summary>
    public ILogger Logger { get; } = logger ?? NullLogger.Instance;

    /// <summary>A uniform draw in [0, 1); injected so sampling can be tested deterministically.</summary>
    public double NextSample() => random();

    /// <summary>The circuit breaker of one mirror host, shared by every route mirroring to it and kept across config changes.</summary>
    public MirrorCircuit CircuitFor(string target)
        => _circuits.GetOrAdd(target, t => new MirrorCircuit(t, Time, Logger));
}

using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// A target's <c>compare</c> block compiled with its route: starts the comparison of each copy
/// the target takes and, with a <c>noise_host</c>, makes the copy the noise host gets. Noise copies
/// are counted under their own metrics label, <c>&lt;target&gt;/noise</c>, so the target's own
/// sampled = sent + failed + dropped still holds.
/// </summary>
internal sealed class MirrorTargetComparison
{
    public const string NoiseLabelSuffix = "/noise";

    /// <summary>
    /// Comparisons of one route's target waiting for their answers at once. A slow target keeps
    /// the node's queue full for tens of seconds, and each waiting comparison holds the primary's
    /// captured answer that long; beyond this many, copies are still sent but not compared
    /// (skipped, reason <c>budget</c>), which keeps the held captures, and the collector's work
    /// over them, bounded whatever the target's pace.
    /// </summary>
    public const int MaxWaiting = 1024;

    private readonly Action _finished;
    private int _waiting;

    private readonly CompareServices _services;
    private readonly string _routeId;
    private readonly string _target;
    private readonly MirrorOrigin? _noiseOrigin;
    private readonly MirrorTargetMetrics? _noiseMetrics;
    private readonly MirrorCircuit? _noiseCircuit;

    public MirrorTargetComparison(CompareOptions options, CompareServices services, MirrorRuntime runtime, string routeId, string target)
    {
        Options = options;
        _finished = () => Interlocked.Decrement(ref _waiting);
        _services = services;
        _routeId = routeId;
        _target = target;
        if (options.NoiseHost is { } noiseHost)
        {
            if (!MirrorOrigin.TryParse(noiseHost, out var origin, out var error))
            {
                throw new InvalidOperationException($"compare.noise_host \"{noiseHost}\" was not checked before compiling: {error}");
            }

            _noiseOrigin = origin;
            _noiseMetrics = new MirrorTargetMetrics(runtime.Metrics, routeId, target + NoiseLabelSuffix);
            _noiseCircuit = runtime.CircuitFor(origin!.BaseUri);
        }
    }

    public CompareOptions Options { get; }

    public bool HasNoise => _noiseOrigin is not null;

    /// <summary>
    /// A comparison for <paramref name="copy"/>, which is about to be queued; null (counted skipped)
    /// when <see cref="MaxWaiting"/> comparisons of this target are waiting already.
    /// </summary>
    public PendingComparison? Begin(MirrorRequest copy)
    {
        if (Interlocked.Increment(ref _waiting) > MaxWaiting)
        {
            Interlocked.Decrement(ref _waiting);
            _services.Results.Skipped(_routeId, _target, CompareResults.SkipReasons.Budget);
            return null;
        }

        return new(_services.Results, _services.Budget, Options, _services.Time, _routeId, _target, copy.Method.Method, copy.PathAndQuery, _finished);
    }

    /// <summary>Comparisons of this target waiting for their answers now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// The noise host's copy of <paramref name="copy"/>, or null when it cannot have one (its
    /// circuit is open: counted, and the comparison told there is no noise answer).
    /// </summary>
    public MirrorRequest? NoiseCopy(MirrorRequest copy, PendingComparison comparison)
    {
        var metrics = _noiseMetrics!;
        metrics.OnSampled();
        if (_noiseCircuit is { } circuit && !circuit.AllowsRequest())
        {
            metrics.OnRefused(MirrorReasons.CircuitOpen);
            comparison.Noise!.OnNoAnswer(MirrorReasons.CircuitOpen);
            return null;
        }

        return copy.Redirect(_noiseOrigin!, metrics, _noiseCircuit, comparison.Noise);
    }
}

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

    private readonly CompareServices _services;
    private readonly string _routeId;
    private readonly string _target;
    private readonly MirrorOrigin? _noiseOrigin;
    private readonly MirrorTargetMetrics? _noiseMetrics;
    private readonly MirrorCircuit? _noiseCircuit;

    public MirrorTargetComparison(CompareOptions options, CompareServices services, MirrorRuntime runtime, string routeId, string target)
    {
        Options = options;
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

    /// <summary>A comparison for <paramref name="copy"/>, which is about to be queued.</summary>
    public PendingComparison Begin(MirrorRequest copy)
        => new(_services.Results, _services.Budget, Options, _services.Time, _routeId, _target, copy.Method.Method, copy.PathAndQuery);

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

using Microsoft.Extensions.Logging.Abstractions;
using MirrorGate.Mirroring;

namespace MirrorGate.Tests.Mirroring;

/// <summary>A real dispatcher (with its sender and lanes) for tests, on fixed settings.</summary>
internal static class TestDispatcher
{
    public static MirrorDispatcher Create(ProxyMirrorSettings settings, MirrorMetrics metrics, MirrorMemoryBudget budget)
        => Create(() => settings, metrics, budget);

    public static MirrorDispatcher Create(Func<ProxyMirrorSettings> settings, MirrorMetrics metrics, MirrorMemoryBudget budget)
    {
        var failures = new MirrorFailureLog(TimeProvider.System, NullLogger.Instance);
        var sender = new MirrorSender(settings, TimeProvider.System, failures);
        return new MirrorDispatcher(sender, settings, metrics, budget, failures, TimeProvider.System, NullLogger<MirrorDispatcher>.Instance);
    }
}

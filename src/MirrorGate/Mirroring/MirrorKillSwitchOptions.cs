namespace MirrorGate.Mirroring;

/// <summary>
/// A target's kill switch: when more than <see cref="MaxFailureRatio"/> of the copies settled in
/// the last <see cref="Window"/> failed or were dropped because the queue was full (and at least
/// <see cref="MinCopies"/> settled), the target receives no copies for <see cref="CoolDown"/>.
/// </summary>
internal sealed record MirrorKillSwitchOptions(double MaxFailureRatio, TimeSpan Window, int MinCopies, TimeSpan CoolDown)
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(30);
    public const int DefaultMinCopies = 20;
    public static readonly TimeSpan DefaultCoolDown = TimeSpan.FromSeconds(60);
}

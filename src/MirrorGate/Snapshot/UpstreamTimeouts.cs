namespace MirrorGate.Snapshot;

/// <summary>APISIX's <c>timeout {connect, send, read}</c> in seconds, as spans.</summary>
internal sealed record UpstreamTimeouts(TimeSpan Connect, TimeSpan Send, TimeSpan Read)
{
    /// <summary>APISIX (nginx) defaults: 60 s each.</summary>
    public static readonly UpstreamTimeouts Default = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60));
}

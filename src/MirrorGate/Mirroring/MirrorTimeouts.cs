using System.Globalization;

namespace MirrorGate.Mirroring;

/// <summary>
/// A target's own timeouts (its <c>timeout</c> attribute), each overriding the node's
/// <c>plugin_attr.proxy-mirror.timeout</c> value when set. Copies with the same origin and the
/// same override share a lane, so the connections of one lane share their timeouts.
/// </summary>
internal sealed record MirrorTimeouts(TimeSpan? Connect, TimeSpan? Send, TimeSpan? Read)
{
    /// <summary>Distinguishes lanes of one origin with different overrides, e.g. <c>c=;s=;r=0.5</c>.</summary>
    public string Key { get; } = string.Create(CultureInfo.InvariantCulture,
        $"c={Connect?.TotalSeconds};s={Send?.TotalSeconds};r={Read?.TotalSeconds}");

    /// <summary>The node settings with this override applied.</summary>
    public ProxyMirrorSettings Apply(ProxyMirrorSettings settings) => settings with
    {
        ConnectTimeout = Connect ?? settings.ConnectTimeout,
        SendTimeout = Send ?? settings.SendTimeout,
        ReadTimeout = Read ?? settings.ReadTimeout,
    };
}

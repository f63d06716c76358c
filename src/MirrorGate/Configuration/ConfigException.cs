namespace MirrorGate.Configuration;

/// <summary>
/// <c>config.yaml</c> cannot be used: missing, not YAML, or a value that is wrong. The message
/// names the file, the key path and the problem, so start-up can print it as is and stop.
/// </summary>
internal sealed class ConfigException : Exception
{
    public ConfigException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>A bad value: <c>{source}: {keyPath}: {problem}</c>.</summary>
    public ConfigException(string source, string keyPath, string problem)
        : base($"{source}: {keyPath}: {problem}")
    {
        KeyPath = keyPath;
    }

    /// <summary>The dotted path of the offending key (<c>deployment.admin.admin_listen.port</c>), when one is to blame.</summary>
    public string? KeyPath { get; }
}

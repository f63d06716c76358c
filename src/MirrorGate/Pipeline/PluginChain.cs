namespace MirrorGate.Pipeline;

/// <summary>A route's plugins, compiled and sorted by effective priority (highest first).</summary>
internal sealed class PluginChain
{
    public static readonly PluginChain Empty = new([]);

    public PluginChain(PluginHandler[] handlers)
    {
        Handlers = handlers;
        HasBeforeProxy = Array.Exists(handlers, h => h.HasBeforeProxy);
        HasLog = Array.Exists(handlers, h => h.HasLog);
        HasHeaderFilter = Array.Exists(handlers, h => h.HasHeaderFilter);
    }

    public PluginHandler[] Handlers { get; }

    public bool HasBeforeProxy { get; }

    public bool HasLog { get; }

    public bool HasHeaderFilter { get; }
}

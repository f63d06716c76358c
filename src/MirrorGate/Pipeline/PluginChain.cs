namespace MirrorGate.Pipeline;

/// <summary>A route's plugins, compiled and sorted by effective priority (highest first).</summary>
internal sealed class PluginChain
{
    public static readonly PluginChain Empty = new([]);

    public PluginChain(PluginHandler[] handlers, PluginChainEntry[]? entries = null)
    {
        Handlers = handlers;
        Entries = entries ?? [];
        HasBeforeProxy = Array.Exists(handlers, h => h.HasBeforeProxy);
        HasLog = Array.Exists(handlers, h => h.HasLog);
        HasHeaderFilter = Array.Exists(handlers, h => h.HasHeaderFilter);
    }

    public PluginHandler[] Handlers { get; }

    /// <summary>What <see cref="Handlers"/> were made from, in the same order (empty for a chain built without them).</summary>
    public PluginChainEntry[] Entries { get; }

    public bool HasBeforeProxy { get; }

    public bool HasLog { get; }

    public bool HasHeaderFilter { get; }
}

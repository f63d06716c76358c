using System.Text.Json.Nodes;

namespace MirrorGate.Pipeline;

/// <summary>
/// One plugin of a chain before it took its place: its name, effective priority, <c>_meta</c>
/// and own handler (not yet wrapped for <c>_meta.filter</c>, which depends on the slot). Kept so a
/// consumer's plugins can be merged into a route's chain without compiling anything again.
/// </summary>
internal sealed record PluginChainEntry(string Name, int Priority, JsonObject? Meta, PluginHandler Handler);

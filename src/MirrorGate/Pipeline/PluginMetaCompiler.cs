using System.Text.Json.Nodes;
using MirrorGate.Resources.Validation;
using MirrorGate.Routing;

namespace MirrorGate.Pipeline;

/// <summary>
/// Applies the per-request parts of a plugin's <c>_meta</c> (<c>filter</c>, <c>error_response</c>)
/// when a chain is compiled. <c>priority</c> and <c>disable</c> are settled by the chain's order
/// and membership, so a plugin with neither filter nor error_response is left unwrapped.
/// </summary>
internal static class PluginMetaCompiler
{
    /// <param name="inGlobalChain">Whether the chain is the global rules' (its filter verdicts are kept apart from the route's).</param>
    public static PluginHandler Wrap(PluginHandler handler, JsonObject? meta, int slot, int chainLength, bool inGlobalChain = false)
    {
        if (meta is null)
        {
            return handler;
        }

        var filter = meta["filter"] is JsonArray { Count: > 0 } rule ? VarsExpression.Compile(rule) : null;
        var errorResponse = meta["error_response"] switch
        {
            null => null,
            JsonObject body => body.ToJsonString(),
            var text when JsonNodes.TryString(text, out var value) => value,
            _ => null,
        };

        return filter is null && errorResponse is null
            ? handler
            : new MetaPluginHandler(handler, slot, chainLength, filter, errorResponse, inGlobalChain);
    }

    /// <summary>The plugin's own handler, under the <c>_meta</c> wrapper if there is one.</summary>
    public static PluginHandler Unwrap(PluginHandler handler) => handler is MetaPluginHandler meta ? meta.Inner : handler;
}

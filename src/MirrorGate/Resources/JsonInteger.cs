using System.Text.Json.Nodes;

namespace MirrorGate.Resources;

/// <summary>
/// Reads an integer that validation accepted. A schema <c>integer</c> is Lua's idea of one, a
/// number with no fraction, so <c>1.0</c> and <c>1e2</c> are integers too; JsonNode's
/// <c>GetValue&lt;int&gt;</c> refuses them, and the snapshot build would skip the item. The
/// resource limits bound every such field to <see cref="int"/>, so the conversion cannot overflow.
/// </summary>
internal static class JsonInteger
{
    public static int ToInt32(JsonNode node) => checked((int)node.GetValue<double>());

    public static int? ToInt32OrNull(JsonNode? node) => node is null ? null : ToInt32(node);
}

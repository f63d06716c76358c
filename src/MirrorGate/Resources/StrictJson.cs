using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Resources;

/// <summary>
/// Parses configuration JSON (Admin API bodies, stored items) so that every fault shows at parse
/// time as a <see cref="JsonException"/>: syntax, nesting deeper than 64, a key given twice, and a
/// string or key that is not valid text (a lone surrogate escape such as <c>"\ud83d"</c>).
/// </summary>
/// <remarks>
/// <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/> builds objects and
/// decodes strings lazily, so a duplicate key or a lone surrogate would otherwise throw later, from
/// whatever first reads the value (a 500 in the Admin API, a failed snapshot build).
/// </remarks>
internal static class StrictJson
{
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <exception cref="JsonException">The text is not one strict JSON value.</exception>
    public static JsonNode? Parse(string text)
    {
        try
        {
            // The duplicate-key check decodes keys during the parse; values are decoded by the walk.
            var node = JsonNode.Parse(text, documentOptions: Options);
            DecodeStrings(node);
            return node;
        }
        catch (InvalidOperationException ex)
        {
            throw new JsonException(ex.Message, ex);
        }
    }

    // Reading every key and string once is what makes a lone surrogate fail here.
    private static void DecodeStrings(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    DecodeStrings(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    DecodeStrings(child);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
        }
    }
}

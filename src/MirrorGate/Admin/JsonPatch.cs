using System.Text.Json.Nodes;

namespace MirrorGate.Admin;

/// <summary>APISIX's PATCH semantics over JSON: a deep merge, or a replacement at a sub-path.</summary>
internal static class JsonPatch
{
    /// <summary>
    /// Merges <paramref name="patch"/> into <paramref name="target"/>: objects merge recursively,
    /// arrays and scalars replace, and a <c>null</c> deletes the key.
    /// </summary>
    public static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else if (value is JsonObject patchObject && target[name] is JsonObject targetObject)
            {
                Merge(targetObject, patchObject);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    /// <summary>
    /// Replaces the value at <paramref name="segments"/> (creating missing objects on the way);
    /// returns APISIX's <c>invalid sub-path: /a/b</c> when the walk meets something that is not an object.
    /// </summary>
    public static string? SetAtPath(JsonObject target, IReadOnlyList<string> segments, JsonNode? value)
    {
        var current = target;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            var next = current[segments[i]];
            if (next is null)
            {
                var created = new JsonObject();
                current[segments[i]] = created;
                current = created;
            }
            else if (next is JsonObject nextObject)
            {
                current = nextObject;
            }
            else
            {
                return $"invalid sub-path: /{string.Join('/', segments.Take(i + 1))}";
            }
        }

        current[segments[^1]] = value?.DeepClone();
        return null;
    }
}

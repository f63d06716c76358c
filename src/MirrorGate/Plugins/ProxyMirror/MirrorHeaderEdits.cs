using System.Text.Json.Nodes;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// A target's <c>headers</c>: <c>set</c> replaces (or adds) headers on the copy, <c>remove</c>
/// takes them off; the primary request is never touched. Checked when the route is saved: names
/// are tokens, values carry no CR/LF/NUL, the connection's own headers and the marker are off limits.
/// </summary>
internal sealed class MirrorHeaderEdits
{
    private MirrorHeaderEdits(KeyValuePair<string, string[]>[] set, HashSet<string> removed)
    {
        Set = set;
        Removed = removed;
    }

    /// <summary>Headers the copy carries with exactly these values (any the client sent under the name are left out).</summary>
    public KeyValuePair<string, string[]>[] Set { get; }

    /// <summary>Names the copy does not carry (case-insensitive), the set ones among them.</summary>
    public HashSet<string> Removed { get; }

    public static MirrorHeaderEdits? FromJson(JsonObject? headers)
    {
        if (headers is null)
        {
            return null;
        }

        var set = new List<KeyValuePair<string, string[]>>();
        var removed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (headers["set"] is JsonObject toSet)
        {
            foreach (var (name, value) in toSet)
            {
                set.Add(new(name, [value!.GetValue<string>()]));
                removed.Add(name);
            }
        }

        if (headers["remove"] is JsonArray toRemove)
        {
            foreach (var name in toRemove)
            {
                removed.Add(name!.GetValue<string>());
            }
        }

        return set.Count == 0 && removed.Count == 0 ? null : new MirrorHeaderEdits(set.ToArray(), removed);
    }
}

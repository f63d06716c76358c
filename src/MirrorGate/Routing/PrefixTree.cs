using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>
/// A compressed radix tree over uri prefixes (the text before <c>*</c>). A lookup walks the path once, then
/// tries the deepest prefix node that has candidates and climbs to shorter ones, so the cost follows the path
/// length, never the number of routes, and nothing is allocated.
/// </summary>
internal sealed class PrefixTree<T>
    where T : class
{
    private readonly Node _root;

    private PrefixTree(Node root) => _root = root;

    public static PrefixTree<T> Build(Dictionary<string, List<RouteCandidate<T>>> byPrefix)
    {
        var root = new Builder(string.Empty);
        foreach (var (prefix, candidates) in byPrefix)
        {
            root.Insert(prefix, RouteCandidate<T>.InTrialOrder(candidates));
        }

        return new PrefixTree<T>(root.Freeze(fallback: null));
    }

    public RouteCandidate<T>? Match(HttpContext context, HttpMethodMask method, string path)
    {
        var node = _root;
        var deepest = node.Candidates is null ? null : node;
        var rest = path.AsSpan();
        while (rest.Length > 0)
        {
            var index = node.Keys.AsSpan().BinarySearch(rest[0]);
            if (index < 0)
            {
                break;
            }

            var child = node.Children[index];
            if (!rest.StartsWith(child.Edge, StringComparison.Ordinal))
            {
                break;
            }

            rest = rest[child.Edge.Length..];
            node = child;
            if (node.Candidates is not null)
            {
                deepest = node;
            }
        }

        // Longest matching prefix first; a node whose candidates all decline falls back to a shorter one.
        for (var at = deepest; at is not null; at = at.Fallback)
        {
            var hit = RouteCandidate<T>.FirstAccepting(at.Candidates!, context, method, path);
            if (hit is not null)
            {
                return hit;
            }
        }

        return null;
    }

    private sealed class Node(string edge, char[] keys, Node[] children, RouteCandidate<T>[]? candidates, Node? fallback)
    {
        public string Edge { get; } = edge;

        /// <summary>First character of each child's edge, sorted, for a binary search.</summary>
        public char[] Keys { get; } = keys;

        public Node[] Children { get; } = children;

        public RouteCandidate<T>[]? Candidates { get; } = candidates;

        /// <summary>The nearest shorter prefix that has candidates.</summary>
        public Node? Fallback { get; } = fallback;
    }

    /// <summary>Mutable twin used only while building; frozen into <see cref="Node"/> arrays afterwards.</summary>
    private sealed class Builder(string edge)
    {
        private readonly SortedDictionary<char, Builder> _children = [];

        public string Edge { get; set; } = edge;

        public RouteCandidate<T>[]? Candidates { get; set; }

        public void Insert(string key, RouteCandidate<T>[] candidates)
        {
            var node = this;
            var i = 0;
            while (i < key.Length)
            {
                if (!node._children.TryGetValue(key[i], out var child))
                {
                    node._children[key[i]] = new Builder(key[i..]) { Candidates = candidates };
                    return;
                }

                var common = key.AsSpan(i).CommonPrefixLength(child.Edge);
                if (common < child.Edge.Length)
                {
                    // Split the edge so the shared part becomes its own node.
                    var middle = new Builder(child.Edge[..common]);
                    child.Edge = child.Edge[common..];
                    middle._children[child.Edge[0]] = child;
                    node._children[key[i]] = middle;
                    child = middle;
                }

                node = child;
                i += common;
            }

            node.Candidates = candidates;
        }

        public Node Freeze(Node? fallback)
        {
            var keys = new char[_children.Count];
            var children = new Node[_children.Count];
            var result = new Node(Edge, keys, children, Candidates, fallback);
            var childFallback = Candidates is null ? fallback : result;
            var index = 0;
            foreach (var (key, child) in _children)
            {
                keys[index] = key;
                children[index] = child.Freeze(childFallback);
                index++;
            }

            return result;
        }
    }
}

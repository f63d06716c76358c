using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>
/// The uri router for one host group (or for the host-less routes): a dictionary for exact paths, tried first,
/// then the prefix tree from the longest prefix to the shortest.
/// </summary>
internal sealed class PathTable<T>
    where T : class
{
    private readonly Dictionary<string, RouteCandidate<T>[]> _exact;
    private readonly PrefixTree<T>? _prefixes;

    private PathTable(Dictionary<string, RouteCandidate<T>[]> exact, PrefixTree<T>? prefixes)
    {
        _exact = exact;
        _prefixes = prefixes;
    }

    public static PathTable<T> Build(IEnumerable<RouteCandidate<T>> candidates)
    {
        var exact = new Dictionary<string, List<RouteCandidate<T>>>(StringComparer.Ordinal);
        var prefixes = new Dictionary<string, List<RouteCandidate<T>>>(StringComparer.Ordinal);
        foreach (var candidate in candidates)
        {
            var target = candidate.Uri.IsPrefix ? prefixes : exact;
            if (!target.TryGetValue(candidate.Uri.Literal, out var list))
            {
                target[candidate.Uri.Literal] = list = [];
            }

            list.Add(candidate);
        }

        var frozenExact = new Dictionary<string, RouteCandidate<T>[]>(exact.Count, StringComparer.Ordinal);
        foreach (var (path, list) in exact)
        {
            frozenExact[path] = RouteCandidate<T>.InTrialOrder(list);
        }

        return new PathTable<T>(frozenExact, prefixes.Count == 0 ? null : PrefixTree<T>.Build(prefixes));
    }

    public RouteCandidate<T>? Match(HttpContext context, HttpMethodMask method, string path)
    {
        if (_exact.TryGetValue(path, out var exact))
        {
            var hit = RouteCandidate<T>.FirstAccepting(exact, context, method, path);
            if (hit is not null)
            {
                return hit;
            }
        }

        return _prefixes?.Match(context, method, path);
    }
}

using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>
/// Host-bound routes grouped by host, each group with its own <see cref="PathTable{T}"/>. Lookup order follows
/// APISIX's host radixtree over reversed hosts: the exact host first, then wildcard suffixes from the longest to
/// the shortest. A group whose routes all decline lets the next host group try.
/// </summary>
internal sealed class HostTable<T>
    where T : class
{
    private readonly Dictionary<string, PathTable<T>>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly Dictionary<string, PathTable<T>>.AlternateLookup<ReadOnlySpan<char>> _wildcards;

    /// <summary>Distinct wildcard suffix lengths, longest first; usually a handful, so probing each is cheap.</summary>
    private readonly int[] _wildcardLengths;

    private HostTable(Dictionary<string, PathTable<T>> exact, Dictionary<string, PathTable<T>> wildcards)
    {
        _exact = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcards = wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardLengths = wildcards.Keys.Select(k => k.Length).Distinct().OrderDescending().ToArray();
    }

    public bool IsEmpty => _exact.Dictionary.Count == 0 && _wildcards.Dictionary.Count == 0;

    /// <param name="candidates">Host-bound candidates; each one is placed under every host of its route.</param>
    public static HostTable<T> Build(IEnumerable<RouteCandidate<T>> candidates)
    {
        var exact = new Dictionary<string, List<RouteCandidate<T>>>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new Dictionary<string, List<RouteCandidate<T>>>(StringComparer.OrdinalIgnoreCase);
        foreach (var candidate in candidates)
        {
            foreach (var host in candidate.Spec.Hosts!)
            {
                // "*.foo.com" keeps ".foo.com"; "*" keeps "", the suffix of every host (APISIX's has_suffix).
                var (table, key) = host.StartsWith('*') ? (wildcards, host[1..]) : (exact, host);
                if (!table.TryGetValue(key, out var list))
                {
                    table[key] = list = [];
                }

                list.Add(candidate);
            }
        }

        return new HostTable<T>(Freeze(exact), Freeze(wildcards));
    }

    public RouteCandidate<T>? Match(HttpContext context, HttpMethodMask method, string path, ReadOnlySpan<char> host)
    {
        if (_exact.TryGetValue(host, out var exactTable))
        {
            var hit = exactTable.Match(context, method, path);
            if (hit is not null)
            {
                return hit;
            }
        }

        foreach (var length in _wildcardLengths)
        {
            if (length <= host.Length && _wildcards.TryGetValue(host[^length..], out var table))
            {
                var hit = table.Match(context, method, path);
                if (hit is not null)
                {
                    return hit;
                }
            }
        }

        return null;
    }

    private static Dictionary<string, PathTable<T>> Freeze(Dictionary<string, List<RouteCandidate<T>>> groups)
    {
        var result = new Dictionary<string, PathTable<T>>(groups.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (host, list) in groups)
        {
            result[host] = PathTable<T>.Build(list);
        }

        return result;
    }
}

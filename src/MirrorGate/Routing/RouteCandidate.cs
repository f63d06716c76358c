using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>One (route, uri) pair placed in the index; a route with several uris yields several candidates.</summary>
internal sealed class RouteCandidate<T>(RouteMatchSpec spec, UriPattern uri, T value, int order)
    where T : class
{
    public RouteMatchSpec Spec { get; } = spec;

    public UriPattern Uri { get; } = uri;

    public T Value { get; } = value;

    /// <summary>Load order, the last tie-breaker.</summary>
    public int Order { get; } = order;

    /// <summary>
    /// The non-path conditions, cheapest first; failing any of them lets the search go on to the next candidate.
    /// </summary>
    public bool Accepts(HttpContext context, HttpMethodMask method, string path)
    {
        var spec = Spec;
        if (spec.MethodMask != HttpMethodMask.None && (spec.MethodMask & method) == 0)
        {
            return false;
        }

        if (spec.RemoteAddrs is { } networks)
        {
            var address = context.Connection.RemoteIpAddress;
            if (address is null || !IpNetworks.Contains(networks, address))
            {
                return false;
            }
        }

        if (!Uri.MatchesGlob(path))
        {
            return false;
        }

        return spec.Vars is null || spec.Vars.Evaluate(context);
    }

    /// <summary>
    /// APISIX's order at one path: higher priority first, then the longer configured uri, then load order.
    /// </summary>
    public static int Compare(RouteCandidate<T> a, RouteCandidate<T> b)
    {
        var byPriority = b.Spec.Priority.CompareTo(a.Spec.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byLength = b.Uri.Original.Length.CompareTo(a.Uri.Original.Length);
        return byLength != 0 ? byLength : a.Order.CompareTo(b.Order);
    }

    /// <summary>Sorts candidates that share one path into trial order.</summary>
    public static RouteCandidate<T>[] InTrialOrder(List<RouteCandidate<T>> candidates)
    {
        var array = candidates.ToArray();
        Array.Sort(array, Compare);
        return array;
    }

    /// <summary>The first candidate that accepts the request, or null.</summary>
    public static RouteCandidate<T>? FirstAccepting(RouteCandidate<T>[] candidates, HttpContext context, HttpMethodMask method, string path)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.Accepts(context, method, path))
            {
                return candidate;
            }
        }

        return null;
    }
}
